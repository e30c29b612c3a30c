# Review alert history: the incidents of a critical rule and the
# notifications that did not reach their channel. The example creates the
# channel and the rule it reads.
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

data "keymate_alert_incidents" "auth_failures" {
  rule_id = keymate_alert_rule.auth_failures.id
  limit   = 50
}

output "auth_failure_incidents_open" {
  value = length([for i in data.keymate_alert_incidents.auth_failures.incidents : i.id if i.status == "open"])
}

output "notifications_failed" {
  value = flatten([
    for i in data.keymate_alert_incidents.auth_failures.incidents :
    [for n in i.notifications : "${i.id} to ${n.channel_id}: ${n.last_error}" if n.status == "failed"]
  ])
}
