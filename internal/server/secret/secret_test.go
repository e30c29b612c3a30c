package secret

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// TestGeneratedSecretsAndFingerprints proves the secret format, that two
// secrets differ, and that a stored hash fingerprints like its secret.
func TestGeneratedSecretsAndFingerprints(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate()
	if !regexp.MustCompile(`^km_[A-Za-z0-9_-]{43}$`).MatchString(a) || a == b {
		t.Fatal("generated secrets have the wrong format or repeat")
	}
	if fp := apiv1.FingerprintHash(Hash("abc")); fp != apiv1.Fingerprint("abc") {
		t.Fatalf("the fingerprint of a stored hash (%s) must equal the API's fingerprint of the secret", fp)
	}
	if !Equal(Hash(a), Hash(a)) || Equal(Hash(a), Hash(b)) {
		t.Fatal("Equal does not compare hashes")
	}
}

// TestSealerRoundTripsAcrossReloads proves that sealed data opens again with
// the key reloaded from disk and that tampering is detected.
func TestSealerRoundTripsAcrossReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.key")
	s1, err := LoadOrCreateSealer(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s1.Seal([]byte("payload"))
	if err != nil || bytes.Contains(sealed, []byte("payload")) {
		t.Fatalf("seal: %v", err)
	}
	s2, err := LoadOrCreateSealer(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Open(sealed); err != nil || string(got) != "payload" {
		t.Fatalf("open after reload = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s2.Open(sealed); err == nil {
		t.Fatal("tampered data opened")
	}
}
