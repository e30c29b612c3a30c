# Import an existing access grant by its resource identity with an import block (Terraform 1.12+).
import {
  to       = keymate_access_grant.sre_alerts
  identity = { id = "ag_0123456789abcdef" }
}
