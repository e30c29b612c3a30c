# Every object of the account that Terraform can manage: run
#   terraform query -generate-config-out=generated.tf
# to write a resource block and an import block per object into generated.tf.
# A list block returns at most 100 results unless it sets a higher limit.
list "keymate_api_key" "key" {
  provider = keymate
  limit    = 1000
}

list "keymate_notification_channel" "channel" {
  provider = keymate
  limit    = 1000
}

list "keymate_alert_rule" "rule" {
  provider = keymate
  limit    = 1000
}

list "keymate_access_grant" "grant" {
  provider = keymate
  limit    = 1000
}

list "keymate_backup_schedule" "schedule" {
  provider = keymate
  limit    = 1000
}
