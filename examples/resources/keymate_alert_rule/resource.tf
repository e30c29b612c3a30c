# Page on-call when requests fail authentication in bursts: more than 20
# requests refused with 401 within 5 minutes. While the incident stays open
# the channel is notified again every hour.
resource "keymate_notification_channel" "oncall" {
  name = "oncall-webhook"
  type = "webhook"
  webhook = {
    url = "https://oncall.example.com/hooks/keymate"
  }
}

resource "keymate_alert_rule" "auth_failures" {
  name        = "auth-failure-burst"
  description = "Possible credential stuffing or a leaked, revoked key still in use."
  severity    = "critical"
  metric      = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.oncall.id]
  renotify_interval        = "1h"
  labels = {
    team    = "security"
    runbook = "https://wiki.example.com/runbooks/auth-failures"
  }
}

# A warning needs no channel: watch the share of server errors.
resource "keymate_alert_rule" "error_rate" {
  name     = "api-error-rate"
  severity = "warning"
  metric   = "api.error_rate"
  condition = {
    operator  = "gte"
    threshold = 0.05
    window    = "15m"
  }
}
