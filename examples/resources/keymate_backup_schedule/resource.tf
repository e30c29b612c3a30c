# A nightly backup at 03:00 Berlin time, kept for 35 days, each one checked by
# a restore drill. Set encrypt = true once the server has a backup key
# (--backup-encryption-key-file or KEYMATE_BACKUP_ENCRYPTION_KEY).
resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "0 3 * * *"
  timezone       = "Europe/Berlin"
  retention_days = 35
  include        = ["all"]
  destination    = "nightly"
  verify_restore = true
}
