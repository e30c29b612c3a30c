# Test the on-call channel whenever it is created or changed; the apply fails
# when the test notification is not delivered. Run it on demand with:
#   terraform apply -invoke=action.keymate_notification_channel_test.oncall
resource "keymate_notification_channel" "oncall" {
  name = "oncall-webhook"
  type = "webhook"
  webhook = {
    url = "https://oncall.example.com/hooks/keymate"
  }

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.keymate_notification_channel_test.oncall]
    }
  }
}

action "keymate_notification_channel_test" "oncall" {
  config {
    id = keymate_notification_channel.oncall.id
  }
}
