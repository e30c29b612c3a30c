# Every enabled critical rule, and those currently firing. The example
# creates the channel and the critical rule it lists.
resource "keymate_notification_channel" "security_team" {
  name = "security-team-email"
  type = "email"
  email = {
    addresses = ["security@example.com"]
  }
}

resource "keymate_alert_rule" "auth_failures" {
  name     = "auth-failure-burst"
  severity = "critical"
  metric   = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.security_team.id]
}

data "keymate_alert_rules" "critical" {
  severity = "critical"
  enabled  = true

  depends_on = [keymate_alert_rule.auth_failures]
}

output "critical_rules" {
  value = [for r in data.keymate_alert_rules.critical.rules : r.name]
}

output "critical_rules_firing" {
  value = [for r in data.keymate_alert_rules.critical.rules : r.name if r.open_incidents > 0]
}
