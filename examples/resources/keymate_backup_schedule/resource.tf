# A nightly encrypted backup at 03:00 Berlin time, kept for 35 days, each one
# checked by a restore drill. A backup holds the key that seals notification
# channel secrets, so encrypt it; the server needs a backup key for that
# (--backup-encryption-key-file or KEYMATE_BACKUP_ENCRYPTION_KEY).
resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "0 3 * * *"
  timezone       = "Europe/Berlin"
  retention_days = 35
  include        = ["all"]
  destination    = "nightly"
  encrypt        = true
  verify_restore = true
}
