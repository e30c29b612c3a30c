# Monitor a backup schedule: its recent runs and when a backup last succeeded
# and a restore drill last passed.
resource "keymate_backup_schedule" "hourly" {
  name = "hourly"
  cron = "0 * * * *"
}

data "keymate_backup_runs" "hourly" {
  schedule_id = keymate_backup_schedule.hourly.id
  limit       = 24
}

output "hourly_failed_runs" {
  value = [for r in data.keymate_backup_runs.hourly.runs : r.id if r.status == "failed"]
}

output "hourly_last_verified_restore_at" {
  value = coalesce(data.keymate_backup_runs.hourly.last_verified_restore_at, "never")
}
