# Record this quarter's review of the SRE team's grant.
#   terraform apply -invoke=action.keymate_access_review.sre_q3
action "keymate_access_review" "sre_q3" {
  config {
    grant_id = "ag_0123456789abcdef"
    reviewer = "carol@example.com"
    decision = "keep"
    comment  = "Still on call for alert rules (SEC-1234)."
  }
}
