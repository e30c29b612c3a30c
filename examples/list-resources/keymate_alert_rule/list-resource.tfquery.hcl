# Every critical rule on authentication failures.
list "keymate_alert_rule" "critical_auth" {
  provider = keymate

  config {
    severity = "critical"
    metric   = "auth.failures"
  }
}
