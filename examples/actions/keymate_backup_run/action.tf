# A restore test on demand, for example from a scheduled CI job: run the
# nightly schedule now and fail unless its backup and restore drill succeed.
#   terraform apply -invoke=action.keymate_backup_run.restore_test
resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "0 3 * * *"
  retention_days = 35
  verify_restore = true
}

action "keymate_backup_run" "restore_test" {
  config {
    schedule_id = keymate_backup_schedule.nightly.id
    timeout     = "15m"
  }
}
