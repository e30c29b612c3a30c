# A deployment key rotated every 30 days. After each rotation the previous
# secret keeps working for 12 hours, so running deployments can finish.
resource "keymate_api_key" "example" {
  name          = "ci-deployer"
  description   = "Used by the CI pipeline to deploy the payments service"
  scopes        = ["keys:read", "audit:read"]
  rotation_days = 30

  rotation_grace_period = "12h"

  # Change this to rotate the key now, for example after a suspected leak.
  rotate_when_changed = {
    reason = "initial"
  }
}

# The generated secret is sensitive; pass it on, for example to a secret store.
output "ci_deployer_fingerprint" {
  value = keymate_api_key.example.secret_fingerprint
}
