# Read at every plan: the findings at or above "warning" become a plan
# warning (a failed check never stops the run), one line per finding.
check "keymate_compliance" {
  data "keymate_compliance_report" "guide" {
    min_severity = "warning"
  }

  assert {
    condition = data.keymate_compliance_report.guide.passed
    error_message = join("\n", [
      for f in data.keymate_compliance_report.guide.findings :
      "${f.control_id} (${f.severity}) ${f.object_type} ${f.object_name}: ${f.message}"
    ])
  }
}

# A critical finding stops the plan, but only under the provider's policy
# "enforce" (KEYMATE_POLICY=enforce in CI); under "warn" it is reported.
data "keymate_compliance_report" "critical" {
  min_severity = "critical"

  lifecycle {
    postcondition {
      condition = self.passed || self.policy != "enforce"
      error_message = join("\n", concat(["Critical compliance findings:"], [
        for f in self.findings : "${f.control_id} ${f.object_type} ${f.object_name}: ${f.message} Remediation: ${f.remediation}"
      ]))
    }
  }
}

output "compliance_counts" {
  value = data.keymate_compliance_report.critical.counts
}
