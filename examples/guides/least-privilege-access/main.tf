# Least privilege: each team gets the weakest role that does the job, on the
# narrowest resources, with a justification and a ticket; grants expire or are
# reviewed on a schedule.

resource "keymate_access_grant" "sre_alert_rules" {
  principal = {
    type = "team"
    id   = "sre"
  }
  role                 = "operator"
  resource             = "alert-rules/*"
  justification        = "On-call engineers tune alert thresholds during incidents"
  ticket               = "SEC-101"
  review_interval_days = 30
}

resource "keymate_access_grant" "auditors" {
  principal = {
    type = "team"
    id   = "internal-audit"
  }
  role          = "auditor"
  resource      = "*"
  justification = "Quarterly access and compliance review"
  ticket        = "AUD-7"
  expires_at    = "2027-03-31T00:00:00Z"
}

# Admin access only for a bounded time: without expires_at the plan warns
# (KM-ACCESS-001), and fails under policy = "enforce".
resource "keymate_access_grant" "migration_admin" {
  principal = {
    type = "service_account"
    id   = "db-migrator"
  }
  role          = "admin"
  resource      = "*"
  justification = "One-off data migration, change CHG-2211"
  ticket        = "CHG-2211"
  expires_at    = "2027-01-15T00:00:00Z"
}

# For the access review: grants whose review date has passed.
data "keymate_access_grants" "review_overdue" {
  review_overdue = true
  depends_on     = [keymate_access_grant.sre_alert_rules, keymate_access_grant.auditors, keymate_access_grant.migration_admin]
}

output "grants_to_review" {
  value = [for g in data.keymate_access_grants.review_overdue.grants : "${g.principal.type}:${g.principal.id} ${g.role} on ${g.resource}"]
}
