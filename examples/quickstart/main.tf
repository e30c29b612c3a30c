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

# Least privilege with regular reviews: the SRE team operates alert rules,
# and the grant comes up for review every 30 days. (Managing grants and
# backups needs the access:* and backups:* scopes.)
resource "keymate_access_grant" "sre_alerts" {
  principal = {
    type = "team"
    id   = "sre"
  }
  role                 = "operator"
  resource             = "alert-rules/*"
  justification        = "On-call engineers tune alert thresholds during incidents"
  ticket               = "SEC-1234"
  review_interval_days = 30
}

# Nightly encrypted backups under the server's data dir, each verified by a
# restore drill and kept for 14 days. Encryption uses the server's backup key
# (--backup-encryption-key-file or KEYMATE_BACKUP_ENCRYPTION_KEY).
resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "0 3 * * *"
  timezone       = "UTC"
  retention_days = 14
  encrypt        = true
  verify_restore = true
}

output "backup_schedule_id" {
  value = keymate_backup_schedule.nightly.id
}

# Alert on critical errors: a burst of failed authentications (a leaked or
# revoked key still in use, or credential stuffing) pages the security team's
# webhook, signed so the receiver can tell it came from Keymate. The signing
# secret comes from an ephemeral variable (TF_VAR_security_webhook_signing_secret)
# and is write-only: it is in neither the code nor the state. (Needs the
# channels:* and alerts:* scopes.) send_test_on_apply stays false because the
# demo has no receiver at this URL; set it to true to prove delivery on every
# apply.
variable "security_webhook_signing_secret" {
  description = "Secret the security team's receiver verifies X-Keymate-Signature with (at least 16 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "keymate_notification_channel" "security" {
  name = "security-webhook"
  type = "webhook"
  webhook = {
    url                       = "https://security.example.com/hooks/keymate"
    signing_secret_wo         = var.security_webhook_signing_secret
    signing_secret_wo_version = 1
  }
  send_test_on_apply = false
}

resource "keymate_alert_rule" "auth_failures" {
  name        = "auth-failure-burst"
  description = "More than 20 requests refused with 401 within 5 minutes."
  severity    = "critical"
  metric      = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.security.id]
  renotify_interval        = "1h"
}
