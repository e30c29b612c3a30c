package apiv1

import "testing"

func TestFingerprints(t *testing.T) {
	// SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
	if got := Fingerprint("abc"); got != "sha256:ba7816bf8f01cfea" {
		t.Errorf(`Fingerprint("abc") = %q`, got)
	}
	if got := Fingerprint(""); got != "" {
		t.Errorf(`Fingerprint("") = %q, want "" (no secret)`, got)
	}
	a := HeadersFingerprint(map[string]string{"A": "1", "B": "2"})
	if a != Fingerprint(`{"A":"1","B":"2"}`) {
		t.Errorf("HeadersFingerprint must fingerprint the canonical JSON, got %q", a)
	}
	if b := HeadersFingerprint(map[string]string{"A": "1", "B": "3"}); b == a {
		t.Error("a changed header value must change the fingerprint")
	}
	if got := HeadersFingerprint(nil); got != "" {
		t.Errorf("HeadersFingerprint(nil) = %q, want \"\"", got)
	}
}
