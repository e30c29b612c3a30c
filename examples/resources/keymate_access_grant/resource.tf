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

# Break-glass admin access for one person, for 30 days. An admin grant without
# expires_at gives a plan warning (KM-ACCESS-001). terraform_data records when
# the grant was first planned; ignore_changes keeps that time, so the expiry
# stays put instead of moving with every plan.
resource "terraform_data" "break_glass_start" {
  input = plantimestamp()
  lifecycle {
    ignore_changes = [input]
  }
}

resource "keymate_access_grant" "break_glass" {
  principal = {
    type = "user"
    id   = "alice"
  }
  role          = "admin"
  resource      = "*"
  justification = "Incident INC-42: database migration needs full access"
  ticket        = "INC-42"
  expires_at    = timeadd(terraform_data.break_glass_start.output, "720h")
}
