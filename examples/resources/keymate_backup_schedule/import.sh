# Import an existing backup schedule by its id.
terraform import keymate_backup_schedule.nightly bs_0123456789abcdef
