# The configuration examples/ci/drift-check.sh plans in CI. The endpoint, the
# key and the policy come from the environment (KEYMATE_ENDPOINT,
# KEYMATE_API_KEY, KEYMATE_POLICY), so the configuration holds no secret and
# the same files serve every pipeline.
terraform {
  required_providers {
    keymate = {
      source = "keymate/keymate"
    }
  }
}

provider "keymate" {}

resource "keymate_backup_schedule" "nightly" {
  name           = "nightly"
  cron           = "0 3 * * *"
  timezone       = "UTC"
  retention_days = 35
  verify_restore = true
}

# Read at every plan. The script prints its findings (from the plan's JSON).
# A critical finding stops the plan only when the provider's policy is
# "enforce" (KEYMATE_POLICY=enforce): a postcondition, not a check block,
# because a failed postcondition is an error while a failed check is only a
# warning, and a check block's data source is read again at every apply, so
# its plan is never empty. No output refers to the report: a new finding is
# not drift, and outputs that change would make -detailed-exitcode say 2.
data "keymate_compliance_report" "ci" {
  min_severity = "warning"

  lifecycle {
    postcondition {
      condition = self.counts.critical == 0 || self.policy != "enforce"
      error_message = join("\n", concat(["Critical Keymate compliance findings (policy enforce):"], [
        for f in self.findings : "${f.control_id} ${f.object_type} ${f.object_name}: ${f.message} Remediation: ${f.remediation}"
        if f.severity == "critical"
      ]))
    }
  }
}
