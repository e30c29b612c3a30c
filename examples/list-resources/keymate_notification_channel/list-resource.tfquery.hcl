# Every Slack channel.
list "keymate_notification_channel" "slack" {
  provider = keymate

  config {
    type = "slack"
  }
}
