# Look a key up by name (or by id) to check its rotation status. The example
# creates the key it reads.
resource "keymate_api_key" "deployer" {
  name          = "ci-deployer"
  scopes        = ["keys:read"]
  rotation_days = 30
}

data "keymate_api_key" "deployer" {
  name = keymate_api_key.deployer.name
}

output "deployer_rotation_overdue" {
  value = data.keymate_api_key.deployer.rotation_overdue
}

# When each scope was last needed, which the compliance report's KM-KEY-005
# reads: a scope held and not needed for 90 days should go.
output "deployer_scope_last_used_at" {
  value = data.keymate_api_key.deployer.scope_last_used_at
}
