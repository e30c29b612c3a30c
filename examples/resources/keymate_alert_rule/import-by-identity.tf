# Import an existing alert rule by its resource identity with an import block (Terraform 1.12+).
import {
  to       = keymate_alert_rule.auth_failures
  identity = { id = "ar_0123456789abcdef" }
}
