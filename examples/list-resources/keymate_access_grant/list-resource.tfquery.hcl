# Every active admin grant of a user, for an access review.
list "keymate_access_grant" "user_admins" {
  provider = keymate

  config {
    principal_type = "user"
    role           = "admin"
    status         = "active"
  }
}

# Every grant of the SRE team.
list "keymate_access_grant" "sre" {
  provider = keymate

  config {
    principal_type = "team"
    principal_id   = "sre"
  }
}
