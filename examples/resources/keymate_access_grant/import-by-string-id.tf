# Import an existing access grant by its id with an import block (Terraform 1.5+).
import {
  to = keymate_access_grant.sre_alerts
  id = "ag_0123456789abcdef"
}
