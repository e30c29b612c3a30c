# The provider this example needs: run `make install` in the provider's
# repository (until it is published), then `terraform init` here.
# Provider-defined functions need Terraform 1.8 or later; the provider, 1.11.
terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}
