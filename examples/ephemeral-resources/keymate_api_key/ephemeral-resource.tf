# A read-only key that exists only while this run needs it: created at the
# start, renewed if the run outlasts 80% of its ttl, revoked at the end.
# Neither the key nor its secret is written to the plan or the state.
ephemeral "keymate_api_key" "auditor" {
  name_prefix = "audit-run"
  scopes      = ["audit:read"]
  ttl         = "30m"
}

# A second configuration of the provider that authenticates with the
# short-lived key instead of the long-lived one in KEYMATE_API_KEY.
provider "keymate" {
  alias   = "auditor"
  api_key = ephemeral.keymate_api_key.auditor.secret
}

# Read through the short-lived key: the latest key rotations.
data "keymate_audit_events" "rotations" {
  provider = keymate.auditor
  action   = "api_key.rotate"
  limit    = 20
}

output "recent_rotations" {
  value = [
    for e in data.keymate_audit_events.rotations.events :
    "${e.time} ${e.object_id} rotated by ${e.actor_key_id}"
  ]
}
