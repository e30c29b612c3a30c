# The change history of the deployment key, newest first: who changed what,
# when, and in which request. Events name the changed fields, never values.
data "keymate_audit_events" "deployer_history" {
  object_type = "api_key"
  object_id   = keymate_api_key.example.id
  limit       = 20
}

# Every rotation of any key in January 2026.
data "keymate_audit_events" "january_rotations" {
  action = "api_key.rotate"
  since  = "2026-01-01T00:00:00Z"
  until  = "2026-02-01T00:00:00Z"
}

output "deployer_changes" {
  value = [
    for e in data.keymate_audit_events.deployer_history.events :
    "${e.time} ${e.action} by ${e.actor_key_id}: ${join(", ", e.changed_fields)}"
  ]
}
