# Import an existing backup schedule by its id with an import block (Terraform 1.5+).
import {
  to = keymate_backup_schedule.nightly
  id = "bs_0123456789abcdef"
}
