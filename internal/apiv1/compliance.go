package apiv1

import "time"

// ObjectTypeAccount is the object type of a compliance finding about the
// account as a whole (such as "no enabled backup schedule"); its object id
// and name are empty.
const ObjectTypeAccount = "account"

// ComplianceReport is the answer of GET /v1/compliance/report: the live
// account judged against every control of the security guide at
// GeneratedAt (the server's clock). Findings are sorted by severity (most
// severe first), then control id, then object id. The query parameter
// min_severity trims Findings only: Counts and Controls[].Findings always
// count every finding, so that a filtered report still tells the totals.
type ComplianceReport struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Findings    []ComplianceFinding `json:"findings"`
	Counts      ComplianceCounts    `json:"counts"`
	Controls    []ComplianceControl `json:"controls"`
}

// ComplianceFinding is one object (or the account) breaking one control.
// Severity, Title and Remediation are the control's.
type ComplianceFinding struct {
	ControlID   string `json:"control_id"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	ObjectType  string `json:"object_type"` // for example "api_key", or ObjectTypeAccount
	ObjectID    string `json:"object_id"`
	ObjectName  string `json:"object_name"`
	Message     string `json:"message"`
	Remediation string `json:"remediation"`
}

// ComplianceCounts counts findings by severity.
type ComplianceCounts struct {
	Critical int64 `json:"critical"`
	Warning  int64 `json:"warning"`
	Info     int64 `json:"info"`
}

// ComplianceControl is one control of the catalogue the report evaluated,
// with the number of findings it produced (0 when it holds).
type ComplianceControl struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Guide       string `json:"guide"`
	Remediation string `json:"remediation"`
	Findings    int64  `json:"findings"`
}
