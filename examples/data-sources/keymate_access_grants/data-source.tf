# For the access review: every active admin grant, and every grant whose
# review date has passed.
data "keymate_access_grants" "admins" {
  role   = "admin"
  status = "active"
}

data "keymate_access_grants" "review_overdue" {
  review_overdue = true
}

output "admin_principals" {
  value = [for g in data.keymate_access_grants.admins.grants : "${g.principal.type}:${g.principal.id}"]
}

output "grants_to_review" {
  value = length(data.keymate_access_grants.review_overdue.grants)
}
