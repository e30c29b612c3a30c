# Every active key whose name starts with "ci-", with the configuration
# each would have once imported (run: terraform query).
list "keymate_api_key" "ci" {
  provider         = keymate
  include_resource = true

  config {
    status      = "active"
    name_prefix = "ci-"
  }
}

# Every key that holds the admin scope.
list "keymate_api_key" "admins" {
  provider = keymate

  config {
    scope = "admin"
  }
}
