# The provider this example needs: run `make install` in the provider's
# repository (until it is published), then `terraform init` here.
terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}
