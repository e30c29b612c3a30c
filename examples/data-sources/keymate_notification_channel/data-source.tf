# Look a channel up by name and check that its last test notification went
# through.
data "keymate_notification_channel" "oncall" {
  name = "oncall-webhook"

  depends_on = [keymate_notification_channel.oncall]
}

output "oncall_last_test_status" {
  value = data.keymate_notification_channel.oncall.last_test_status
}
