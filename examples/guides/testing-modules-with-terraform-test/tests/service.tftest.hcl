# Unit tests of the module: a mocked keymate provider, so no server, no
# credentials and no objects.
#
# A mock makes up a random string for each computed attribute, but the
# provider's validators still check the configuration, and a random string is
# not a channel id (notification_channel_ids wants nc_...): an apply that
# hands one resource's id to another fails unless every id has the format of
# its kind. Hence a default id for each resource type.
mock_provider "keymate" {
  mock_resource "keymate_api_key" {
    defaults = {
      id                 = "key_0123456789abcdef01234567"
      secret_fingerprint = "sha256:0123456789abcdef"
    }
  }

  mock_resource "keymate_notification_channel" {
    defaults = {
      id = "nc_0123456789abcdef01234567"
    }
  }

  mock_resource "keymate_alert_rule" {
    defaults = {
      id = "ar_0123456789abcdef01234567"
    }
  }

  mock_resource "keymate_access_grant" {
    defaults = {
      id = "ag_0123456789abcdef01234567"
    }
  }

  mock_resource "keymate_backup_schedule" {
    defaults = {
      id = "bs_0123456789abcdef01234567"
    }
  }
}

variables {
  service      = "payments"
  oncall_email = "payments-oncall@example.com"
}

# Plan only: the names follow the service, and the key rotates every 90 days.
run "names_follow_the_service" {
  command = plan

  assert {
    condition     = keymate_api_key.service.name == "payments-service" && keymate_alert_rule.auth_failures.name == "payments-auth-failures"
    error_message = "Object names must start with the service's name."
  }

  assert {
    condition     = keymate_api_key.service.rotation_days == 90
    error_message = "The key must rotate every 90 days by default."
  }
}

# Apply against the mocks: the critical rule pages the service's own channel,
# by the id the channel was given (the mocks' nc_ default).
run "critical_alerts_page_oncall" {
  assert {
    condition     = output.paged_channel_ids == toset([keymate_notification_channel.oncall.id])
    error_message = "The critical rule must page the service's on-call channel."
  }

  assert {
    condition     = startswith(output.api_key_id, "key_")
    error_message = "The module must output the key's id."
  }
}

# The module refuses a rotation period the guide does not allow.
run "rotation_over_90_days_is_refused" {
  command = plan

  variables {
    rotation_days = 365
  }

  expect_failures = [var.rotation_days]
}
