# The module triggers an action (the first restore drill) from its backup
# schedule, which needs Terraform 1.14 or later.
terraform {
  required_version = ">= 1.14"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}
