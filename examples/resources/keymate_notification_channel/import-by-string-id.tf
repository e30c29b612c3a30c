# Import an existing channel by its id with an import block (Terraform 1.5+).
import {
  to = keymate_notification_channel.oncall
  id = "nc_0123456789abcdef"
}
