package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// TestParseKeyAcceptsBase64AndHexOnly proves that a 32-byte key is read from
// base64 (padded or not, either alphabet) and from 64 hex digits, and that
// anything else is refused without echoing the input.
func TestParseKeyAcceptsBase64AndHexOnly(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, KeySize)
	for _, text := range []string{
		base64.StdEncoding.EncodeToString(key), base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key), hex.EncodeToString(key), " " + hex.EncodeToString(key) + "\n",
	} {
		got, err := ParseKey(text)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", text, got, err)
		}
	}
	for _, text := range []string{"", "secret-value-123", base64.StdEncoding.EncodeToString(key[:16]), strings.Repeat("z", 64)} {
		_, err := ParseKey(text)
		if err == nil || (text != "" && strings.Contains(err.Error(), text)) {
			t.Errorf("ParseKey(%q) = %v, want an error that does not echo the input", text, err)
		}
	}
}

// TestEncryptionRoundTripsAndDetectsAWrongKey proves that decrypt inverts
// encrypt and that another key is reported as a wrong key.
func TestEncryptionRoundTripsAndDetectsAWrongKey(t *testing.T) {
	key := bytes.Repeat([]byte{1}, KeySize)
	sealed, err := encrypt(key, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := decrypt(key, sealed); err != nil || string(plain) != "payload" {
		t.Fatalf("decrypt = %q, %v", plain, err)
	}
	if _, err := decrypt(bytes.Repeat([]byte{2}, KeySize), sealed); err == nil || !strings.Contains(err.Error(), "wrong backup encryption key") {
		t.Fatalf("decrypt with another key: %v", err)
	}
}
