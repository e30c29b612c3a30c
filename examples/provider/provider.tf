# Credentials come from the environment so that no secret is written in
# configuration:
#
#   export KEYMATE_ENDPOINT="https://keymate.example.com"
#   export KEYMATE_API_KEY="km_..."   # a key with scopes keys:read and keys:write
provider "keymate" {
  max_retries     = 4
  request_timeout = "30s"
}
