# Alert on critical errors through tested notification channels: page on-call
# when the API fails or when authentication failures spike, and tell the team
# about rate limiting before clients notice.

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

# The routing key comes from your secret store, for example as
# TF_VAR_pagerduty_routing_key; it is write-only, so it is never in state.
variable "pagerduty_routing_key" {
  description = "Integration key of the PagerDuty service (32 characters)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "keymate_notification_channel" "pager" {
  name = "oncall-pagerduty"
  type = "pagerduty"
  pagerduty = {
    routing_key_wo         = var.pagerduty_routing_key
    routing_key_wo_version = 1
  }
}

resource "keymate_notification_channel" "team" {
  name = "platform-team-email"
  type = "email"
  email = {
    addresses = ["platform@example.com"]
  }
}

# Critical: more than 2% of requests fail with a server error over 5 minutes.
resource "keymate_alert_rule" "error_rate" {
  name     = "api-error-rate-critical"
  severity = "critical"
  metric   = "api.error_rate"
  condition = {
    operator  = "gt"
    threshold = 0.02
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.pager.id, keymate_notification_channel.team.id]
  renotify_interval        = "30m"
  labels = {
    runbook = "https://wiki.example.com/runbooks/keymate-errors"
  }
}

# Critical: a burst of refused credentials (a leaked or revoked key in use).
resource "keymate_alert_rule" "auth_failures" {
  name     = "auth-failure-burst"
  severity = "critical"
  metric   = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.pager.id]
  renotify_interval        = "1h"
}

# Warning: clients are being throttled; they should back off and cache.
resource "keymate_alert_rule" "throttled" {
  name     = "rate-limited-requests"
  severity = "warning"
  metric   = "rate_limit.throttled"
  condition = {
    operator  = "gt"
    threshold = 100
    window    = "15m"
  }
  notification_channel_ids = [keymate_notification_channel.team.id]
}

# Which critical rules are firing right now.
data "keymate_alert_rules" "critical" {
  severity   = "critical"
  depends_on = [keymate_alert_rule.error_rate, keymate_alert_rule.auth_failures]
}

output "critical_rules_firing" {
  value = [for r in data.keymate_alert_rules.critical.rules : r.name if r.open_incidents > 0]
}
