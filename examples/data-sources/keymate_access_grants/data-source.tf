# For the access review: every active admin grant, and every grant whose
# review date has passed. The example creates the admin grant it lists.

# When the grant was first planned: ignore_changes keeps the time of the first
# apply, so the expiry below stays put instead of moving with every plan.
resource "terraform_data" "incident_access_start" {
  input = plantimestamp()
  lifecycle {
    ignore_changes = [input]
  }
}

resource "keymate_access_grant" "incident_admin" {
  principal = {
    type = "user"
    id   = "bob"
  }
  role          = "admin"
  resource      = "*"
  justification = "Incident INC-77: restore service after a failed migration"
  ticket        = "INC-77"
  expires_at    = timeadd(terraform_data.incident_access_start.output, "72h")
}

data "keymate_access_grants" "admins" {
  role   = "admin"
  status = "active"

  depends_on = [keymate_access_grant.incident_admin]
}

data "keymate_access_grants" "review_overdue" {
  review_overdue = true

  depends_on = [keymate_access_grant.incident_admin]
}

output "admin_principals" {
  value = [for g in data.keymate_access_grants.admins.grants : "${g.principal.type}:${g.principal.id}"]
}

output "grants_to_review" {
  value = length(data.keymate_access_grants.review_overdue.grants)
}
