# Look a channel up by name and check that its last test notification went
# through. The example creates the channel it reads.
resource "keymate_notification_channel" "oncall" {
  name = "oncall-email"
  type = "email"
  email = {
    addresses = ["oncall@example.com"]
  }
}

data "keymate_notification_channel" "oncall" {
  name = keymate_notification_channel.oncall.name
}

output "oncall_last_test_status" {
  value = data.keymate_notification_channel.oncall.last_test_status
}
