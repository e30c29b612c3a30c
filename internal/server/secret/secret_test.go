package secret

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGeneratedSecretsAndFingerprints proves the secret format, that two
// secrets differ, and the fingerprint form.
func TestGeneratedSecretsAndFingerprints(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate()
	if !regexp.MustCompile(`^km_[A-Za-z0-9_-]{43}$`).MatchString(a) || a == b {
		t.Fatal("generated secrets have the wrong format or repeat")
	}
	if fp := Fingerprint(Hash("abc")); fp != "sha256:ba7816bf8f01cfea" {
		t.Fatalf("fingerprint = %s", fp)
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
