variable "applications" {
  description = "One API key per application: its name (the key's name) to the scopes it needs and how often it rotates, in days (90 at most, the guide's limit)."
  type = map(object({
    scopes        = set(string)
    rotation_days = optional(number, 90)
  }))

  validation {
    condition     = alltrue([for name, app in var.applications : can(regex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$", name))])
    error_message = "Application names become key names: 1 to 128 letters, digits, spaces, '.', '_' and '-', starting with a letter or digit."
  }
  validation {
    condition     = alltrue([for app in var.applications : app.rotation_days >= 1 && app.rotation_days <= 90])
    error_message = "rotation_days must be from 1 to 90: the guide rotates keys at least every 90 days (KM-KEY-002)."
  }
  validation {
    condition     = alltrue([for app in var.applications : length(app.scopes) > 0 && !contains(app.scopes, "admin")])
    error_message = "Each application needs at least one scope, and not admin: an application's key never expires, and admin keys must (KM-KEY-003). Give people admin through admins instead."
  }
}

variable "oncall_webhook_url" {
  description = "URL of the on-call receiver that alerts are posted to. The server must be allowed to reach it (its destination policy); the apply sends a test notification and fails unless it is delivered."
  type        = string
}

variable "oncall_signing_secret" {
  description = "Secret the receiver verifies X-Keymate-Signature with (at least 16 characters), from your secret store (TF_VAR_oncall_signing_secret). Write-only: never in plan or state. Set oncall_signing_secret_version with it."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "oncall_signing_secret_version" {
  description = "Version of oncall_signing_secret: set it (for example to 1) with the secret, and increment it to send a new secret (Terraform cannot see a change of a write-only value)."
  type        = number
  default     = null
}

variable "backup_destination" {
  description = "Directory of the daily backups, relative to the server's backup root (--backup-root), such as \"baseline\"."
  type        = string
}

variable "backup_cron" {
  description = "When the daily backup runs, a cron expression in UTC."
  type        = string
  default     = "0 3 * * *"
}

variable "backup_encrypt" {
  description = "Encrypt the backups with the server's backup key (--backup-encryption-key-file); without that key the server refuses the schedule."
  type        = bool
  default     = true
}

variable "admins" {
  description = "People or services that may administer the account, as \"<type>:<id>\" (type user, team or service_account) to the justification of their access. Each gets an admin grant that expires after admin_grant_days and is reviewed before."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for principal in keys(var.admins) : can(regex("^(user|team|service_account):.+$", principal))])
    error_message = "Each admin is \"<type>:<id>\", where type is user, team or service_account, such as \"user:alice\"."
  }
}

variable "admin_grant_days" {
  description = "How long an admin grant lasts from the apply that creates it (the guide's admin access expires, KM-ACCESS-001), in days; its review falls due on the same day at the latest."
  type        = number
  default     = 30

  validation {
    condition     = var.admin_grant_days >= 1 && var.admin_grant_days <= 365
    error_message = "admin_grant_days must be from 1 to 365."
  }
}
