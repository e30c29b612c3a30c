# The change history of a deployment key, newest first: who changed what,
# when, and in which request. Events name the changed fields, never values.
# The example creates the key whose history it reads.
resource "keymate_api_key" "deployer" {
  name          = "ci-deployer"
  scopes        = ["keys:read"]
  rotation_days = 30
}

data "keymate_audit_events" "deployer_history" {
  object_type = "api_key"
  object_id   = keymate_api_key.deployer.id
  limit       = 20
}

# Every rotation of any key in the 30 days before this plan.
data "keymate_audit_events" "recent_rotations" {
  action = "api_key.rotate"
  since  = timeadd(plantimestamp(), "-720h")
}

output "deployer_changes" {
  value = [
    for e in data.keymate_audit_events.deployer_history.events :
    "${e.time} ${e.action} by ${e.actor_key_id}: ${join(", ", e.changed_fields)}"
  ]
}

output "rotations_last_30_days" {
  value = length(data.keymate_audit_events.recent_rotations.events)
}
