# A signed webhook to the on-call tooling. The signing secret is write-only:
# it is sent to Keymate but never stored in the Terraform state. Increment
# signing_secret_wo_version to send a new value. Pass the secret from your
# secret store, for example TF_VAR_oncall_signing_secret in the environment.
variable "oncall_signing_secret" {
  description = "Secret the on-call receiver verifies X-Keymate-Signature with (at least 16 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "keymate_notification_channel" "oncall" {
  name = "oncall-webhook"
  type = "webhook"
  webhook = {
    url                       = "https://oncall.example.com/hooks/keymate"
    signing_secret_wo         = var.oncall_signing_secret
    signing_secret_wo_version = 1
  }
  # Set to true to send a test notification on every create and update and
  # fail the apply when it is not delivered.
  send_test_on_apply = false
}

# Email the security team; no secret involved.
resource "keymate_notification_channel" "security_team" {
  name = "security-team-email"
  type = "email"
  email = {
    addresses = ["security@example.com", "oncall@example.com"]
  }
}
