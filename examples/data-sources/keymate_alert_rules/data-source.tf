# Every enabled critical rule, and those currently firing.
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
