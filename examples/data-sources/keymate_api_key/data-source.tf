# Look a key up by name (or by id) to check its rotation status.
data "keymate_api_key" "deployer" {
  name = "ci-deployer"
}

output "deployer_rotation_overdue" {
  value = data.keymate_api_key.deployer.rotation_overdue
}
