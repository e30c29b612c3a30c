# A module a platform team hands to every service team: the service's API key,
# rotated within the guide's 90 days, and an on-call email channel that a
# critical alert on failed authentications pages. tests/ holds its unit tests:
# `terraform test` runs them against a mocked provider, with no server and no
# credentials.

terraform {
  required_version = ">= 1.11"
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

variable "service" {
  description = "Name of the service, for example payments; it prefixes every object's name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.service))
    error_message = "service: lower-case letters, digits and dashes, 2 to 31 characters, starting with a letter."
  }
}

variable "oncall_email" {
  description = "Address that critical alerts of the service page."
  type        = string
}

variable "rotation_days" {
  description = "Days between rotations of the service's key."
  type        = number
  default     = 90

  validation {
    condition     = var.rotation_days >= 1 && var.rotation_days <= 90
    error_message = "rotation_days: the security guide asks for rotation at least every 90 days (KM-KEY-002)."
  }
}

resource "keymate_api_key" "service" {
  name                  = "${var.service}-service"
  description           = "Key of the ${var.service} service"
  scopes                = ["keys:read", "alerts:read"]
  rotation_days         = var.rotation_days
  rotation_grace_period = "24h"
}

resource "keymate_notification_channel" "oncall" {
  name = "${var.service}-oncall"
  type = "email"
  email = {
    addresses = [var.oncall_email]
  }
}

resource "keymate_alert_rule" "auth_failures" {
  name     = "${var.service}-auth-failures"
  severity = "critical"
  metric   = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.oncall.id]
  renotify_interval        = "1h"
}

output "api_key_id" {
  value = keymate_api_key.service.id
}

output "paged_channel_ids" {
  value = keymate_alert_rule.auth_failures.notification_channel_ids
}
