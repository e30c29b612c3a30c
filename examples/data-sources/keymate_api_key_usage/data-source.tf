# What a service's key did over the last day: its requests per route, and
# the routes it was refused (a missing scope shows as errors there). The
# example creates the key it reads.
resource "keymate_api_key" "payments" {
  name   = "payments-service"
  scopes = ["keys:read"]
}

data "keymate_api_key_usage" "payments" {
  key_id = keymate_api_key.payments.id
  window = "24h"
}

output "payments_requests_last_day" {
  value = data.keymate_api_key_usage.payments.requests
}

output "payments_refused_routes" {
  value = [for r in data.keymate_api_key_usage.payments.routes : r.route if r.errors > 0]
}
