# Zero-downtime rotation: every application gets its own key, rotated every
# 90 days or sooner, with a grace period during which the previous secret
# still works, so deployments pick up the new one before the old one stops.

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
# pass it in as an ephemeral variable, and bump secret_wo_version to rotate.
variable "reporting_secret" {
  description = "Secret of the reporting job's key (at least 32 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = "reporting-job-secret-0123456789abcdef"
}

resource "keymate_api_key" "reporting" {
  name                  = "reporting-job"
  scopes                = ["audit:read"]
  rotation_days         = 30
  rotation_grace_period = "1h"
  secret_wo             = var.reporting_secret
  secret_wo_version     = 1
}

# Fail the plan if a key would outlive the guide's 90 days between rotations.
check "keys_rotate_within_90_days" {
  assert {
    condition     = keymate_api_key.payments.rotation_days <= 90 && keymate_api_key.reporting.rotation_days <= 90
    error_message = "Rotate API keys at least every 90 days."
  }
}

output "payments_next_rotation_at" {
  value = keymate_api_key.payments.next_rotation_at
}
