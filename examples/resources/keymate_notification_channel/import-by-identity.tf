# Import an existing channel by its resource identity with an import block (Terraform 1.12+).
import {
  to       = keymate_notification_channel.oncall
  identity = { id = "nc_0123456789abcdef" }
}
