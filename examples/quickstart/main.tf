# Quickstart: one API key per application, rotated every 90 days, with an
# overlap so that deployments pick up the new secret before the old one stops.
#
# Credentials come from the environment, never from code:
#   export KEYMATE_ENDPOINT=http://127.0.0.1:8080
#   export KEYMATE_API_KEY=...   # a key with the keys:read and keys:write scopes
terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source = "keymate/keymate"
    }
  }
}

provider "keymate" {}

variable "release" {
  description = "Release label of the reporting job; a new release rotates its key."
  type        = string
  default     = "2026.11"
}

# The payments service reads keys and alert rules; the server generates its
# secret, which Terraform keeps (sensitive) in state to hand to the deployment.
resource "keymate_api_key" "payments" {
  name                  = "payments-service"
  description           = "Payments service (least privilege: read only)"
  scopes                = ["keys:read", "alerts:read"]
  rotation_days         = 90
  rotation_grace_period = "24h"
}

# The reporting job gets a fresh secret with every release.
resource "keymate_api_key" "reporting" {
  name          = "reporting-job"
  scopes        = ["audit:read"]
  rotation_days = 30
  rotate_when_changed = {
    release = var.release
  }
}

check "rotation_within_guide" {
  assert {
    condition     = keymate_api_key.payments.rotation_days <= 90 && keymate_api_key.reporting.rotation_days <= 90
    error_message = "The security guide asks for key rotation at least every 90 days."
  }
}

output "payments_key_id" {
  value = keymate_api_key.payments.id
}

output "payments_secret_fingerprint" {
  description = "Non-secret fingerprint of the current secret, for auditors."
  value       = keymate_api_key.payments.secret_fingerprint
}

output "payments_next_rotation_at" {
  value = keymate_api_key.payments.next_rotation_at
}
