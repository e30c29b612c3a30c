output "api_key_ids" {
  description = "Each application's key id, by application name."
  value       = { for name, key in keymate_api_key.app : name => key.id }
}

output "api_key_secrets" {
  description = "Each application's current key secret, by application name, to hand to your secret store (the application reads it from its environment). It changes with every rotation."
  value       = { for name, key in keymate_api_key.app : name => key.secret }
  sensitive   = true
}

output "oncall_channel_id" {
  description = "Id of the on-call notification channel, for more alert rules of your own."
  value       = keymate_notification_channel.oncall.id
}

output "compliance" {
  description = "The live compliance report in numbers: findings by severity, and the controls that pass and fail (failing lists their ids)."
  value = {
    critical = data.keymate_compliance_report.account.counts.critical
    warning  = data.keymate_compliance_report.account.counts.warning
    info     = data.keymate_compliance_report.account.counts.info
    passing  = length([for c in data.keymate_compliance_report.account.controls : c.id if c.findings == 0])
    failing  = [for c in data.keymate_compliance_report.account.controls : c.id if c.findings > 0]
  }
}

output "compliant" {
  description = "True when no control of the compliance report fails: the account has no finding of any severity."
  value       = data.keymate_compliance_report.account.passed
}
