# The root module of an account being brought under Terraform (terraform query
# needs Terraform 1.14 or later). The provider reads KEYMATE_ENDPOINT and
# KEYMATE_API_KEY from the environment.
terraform {
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

provider "keymate" {}
