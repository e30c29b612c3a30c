# Import an existing alert rule by its id with an import block (Terraform 1.5+).
import {
  to = keymate_alert_rule.auth_failures
  id = "ar_0123456789abcdef"
}
