# Prove that the secret a secret store holds for the deployer key is the key's
# current secret, without reading any secret back from Keymate: a warning
# names the key when it is not, for example after a rotation that never
# reached the store.
variable "deployer_secret" {
  description = "The deployer key's secret, as the secret store holds it."
  type        = string
  sensitive   = true
}

data "keymate_api_key" "deployer" {
  name = "ci-deployer"
}

check "deployer_secret_is_current" {
  assert {
    condition     = provider::keymate::secret_fingerprint(var.deployer_secret) == data.keymate_api_key.deployer.secret_fingerprint
    error_message = "The secret store's secret for ${data.keymate_api_key.deployer.id} is not the key's current secret: put the current one in the store."
  }
}
