# Regular backups with tested recovery: a nightly encrypted backup whose every
# run is verified by a restore drill, and a weekly one kept for a quarter.
# Encryption needs the server's backup key (--backup-encryption-key-file or
# KEYMATE_BACKUP_ENCRYPTION_KEY).

terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

# Credentials and every other setting come from the environment
# (KEYMATE_ENDPOINT, KEYMATE_API_KEY, ...).
provider "keymate" {}

resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "30 2 * * *"
  timezone       = "Europe/Berlin"
  retention_days = 14
  include        = ["all"]
  destination    = "nightly"
  encrypt        = true
  verify_restore = true
}

resource "keymate_backup_schedule" "weekly" {
  name           = "weekly-keys-and-access"
  cron           = "0 4 * * 0"
  timezone       = "UTC"
  retention_days = 90
  include        = ["api_keys", "access_grants"]
  destination    = "weekly"
  encrypt        = true
  verify_restore = true
}

# Monitor the backup status: the last successful run and the last verified
# restore of the nightly schedule.
data "keymate_backup_runs" "nightly" {
  schedule_id = keymate_backup_schedule.nightly.id
  limit       = 7
}

output "nightly_last_verified_restore_at" {
  value = coalesce(data.keymate_backup_runs.nightly.last_verified_restore_at, "never")
}
