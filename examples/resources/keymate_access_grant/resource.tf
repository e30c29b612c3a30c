# The SRE team operates alert rules; the grant is reviewed every 30 days.
resource "keymate_access_grant" "sre_alerts" {
  principal = {
    type = "team"
    id   = "sre"
  }
  role                 = "operator"
  resource             = "alert-rules/*"
  justification        = "On-call engineers tune alert thresholds during incidents"
  ticket               = "SEC-1234"
  review_interval_days = 30
}

# Break-glass admin access for one person, ending on a fixed date. An admin
# grant without expires_at gives a plan warning (KM-ACCESS-001).
resource "keymate_access_grant" "break_glass" {
  principal = {
    type = "user"
    id   = "alice"
  }
  role          = "admin"
  resource      = "*"
  justification = "Incident INC-42: database migration needs full access"
  ticket        = "INC-42"
  expires_at    = "2027-06-30T00:00:00Z"
}
