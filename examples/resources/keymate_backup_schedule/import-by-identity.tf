# Import an existing backup schedule by its resource identity with an import block (Terraform 1.12+).
import {
  to       = keymate_backup_schedule.nightly
  identity = { id = "bs_0123456789abcdef" }
}
