# Import an existing alert rule by its id.
terraform import keymate_alert_rule.auth_failures ar_0123456789abcdef
