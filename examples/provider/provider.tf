terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

# Credentials come from the environment so that no secret is written in
# configuration:
#
#   export KEYMATE_ENDPOINT="https://keymate.example.com"
#   export KEYMATE_API_KEY="km_..."   # a key holding the scopes of what you manage
#
# In CI, KEYMATE_POLICY=enforce turns the plan-time checks of the security
# guide (control ids such as KM-KEY-002) from warnings into errors.
#
# Every argument has a KEYMATE_* environment variable (KEYMATE_MAX_RETRIES,
# KEYMATE_REQUEST_TIMEOUT, KEYMATE_MAX_RETRY_WAIT, ...); a value set here wins.
provider "keymate" {
  max_retries     = 4
  request_timeout = "30s"
  max_retry_wait  = "1m"
  policy          = "warn"
}
