# Every backup schedule that is switched off.
list "keymate_backup_schedule" "disabled" {
  provider = keymate

  config {
    enabled = false
  }
}
