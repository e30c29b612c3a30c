# Least privilege: each team gets the weakest role that does the job, on the
# narrowest resources, with a justification and a ticket; grants expire or are
# reviewed on a schedule.

terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

# Credentials and every other setting come from the environment
# (KEYMATE_ENDPOINT, KEYMATE_API_KEY, ...).
provider "keymate" {}

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

# Grants that expire count from when they were first planned: terraform_data
# keeps that time (ignore_changes), so an expiry stays put instead of moving
# with every plan. To extend a grant, change its duration below.
resource "terraform_data" "auditors_start" {
  input = plantimestamp()
  lifecycle {
    ignore_changes = [input]
  }
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
  expires_at    = timeadd(terraform_data.auditors_start.output, "2160h") # a quarter: 90 days
}

# Admin access only for a bounded time: without expires_at the plan warns
# (KM-ACCESS-001), and fails under policy = "enforce".
resource "terraform_data" "migration_admin_start" {
  input = plantimestamp()
  lifecycle {
    ignore_changes = [input]
  }
}

resource "keymate_access_grant" "migration_admin" {
  principal = {
    type = "service_account"
    id   = "db-migrator"
  }
  role          = "admin"
  resource      = "*"
  justification = "One-off data migration, change CHG-2211"
  ticket        = "CHG-2211"
  expires_at    = timeadd(terraform_data.migration_admin_start.output, "336h") # two weeks
}

# For the access review: grants whose review date has passed.
data "keymate_access_grants" "review_overdue" {
  review_overdue = true
  depends_on     = [keymate_access_grant.sre_alert_rules, keymate_access_grant.auditors, keymate_access_grant.migration_admin]
}

output "grants_to_review" {
  value = [for g in data.keymate_access_grants.review_overdue.grants : "${g.principal.type}:${g.principal.id} ${g.role} on ${g.resource}"]
}
