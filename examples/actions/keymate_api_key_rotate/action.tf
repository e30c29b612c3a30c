# Cut off a leaked secret at once (grace_period "0s"). Run only this action:
#   terraform apply -invoke=action.keymate_api_key_rotate.leaked
action "keymate_api_key_rotate" "leaked" {
  config {
    id           = "key_0123456789abcdef"
    grace_period = "0s"
  }
}
