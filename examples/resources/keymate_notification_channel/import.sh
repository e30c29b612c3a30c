# Import an existing channel by its id. The API never returns channel
# secrets, so they are null in the imported state; the next plan shows the
# configured secrets as an update, which sends them.
terraform import keymate_notification_channel.oncall nc_0123456789abcdef
