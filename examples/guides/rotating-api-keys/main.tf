# Zero-downtime rotation: every application gets its own key, rotated every
# 90 days or sooner, with a grace period during which the previous secret
# still works, so deployments pick up the new one before the old one stops.

terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

# Credentials and every other setting come from the environment
# (KEYMATE_ENDPOINT, KEYMATE_API_KEY, ...).
provider "keymate" {}

variable "payments_release" {
  description = "Deployment id of the payments service; a new release rotates its key at once."
  type        = string
  default     = "2026.11.1"
}

# A server-generated secret: Terraform keeps it (sensitive) in state and hands
# it to the deployment, for example through a secret store.
resource "keymate_api_key" "payments" {
  name                  = "payments-service"
  scopes                = ["keys:read", "alerts:read"]
  rotation_days         = 90
  rotation_grace_period = "48h"
  rotate_when_changed = {
    release = var.payments_release
  }
}

# A secret you supply, never stored in state: generate it in your secret store,
# pass it in as an ephemeral variable (for example TF_VAR_reporting_secret),
# and bump secret_wo_version to rotate.
variable "reporting_secret" {
  description = "Secret of the reporting job's key (at least 32 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "keymate_api_key" "reporting" {
  name                  = "reporting-job"
  scopes                = ["audit:read"]
  rotation_days         = 30
  rotation_grace_period = "1h"
  secret_wo             = var.reporting_secret
  secret_wo_version     = 1
}

# Warn when a key would outlive the guide's 90 days between rotations: a
# failed check is a warning, it never stops a plan or an apply. (The provider
# checks this too, as KM-KEY-002, and its policy "enforce" makes it an error.)
check "keys_rotate_within_90_days" {
  assert {
    condition     = keymate_api_key.payments.rotation_days <= 90 && keymate_api_key.reporting.rotation_days <= 90
    error_message = "Rotate API keys at least every 90 days."
  }
}

output "payments_next_rotation_at" {
  value = keymate_api_key.payments.next_rotation_at
}
