package apiv1

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// FingerprintHash formats the SHA-256 hash of a secret as the API shows it:
// "sha256:" and its first 16 hex digits. It names a secret without revealing
// it, so that a client can tell when a secret changed.
func FingerprintHash(sum []byte) string {
	return "sha256:" + hex.EncodeToString(sum)[:16]
}

// Fingerprint is the API's fingerprint of a secret value, "" for none.
func Fingerprint(value string) string {
	if value == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(value))
	return FingerprintHash(sum[:])
}

// HeadersFingerprint is the API's fingerprint of a map of webhook headers:
// that of its canonical JSON (keys sorted), "" when there are none.
func HeadersFingerprint(headers map[string]string) string {
	if len(headers) == 0 {
		return ""
	}
	canonical, _ := json.Marshal(headers) // a map of strings always encodes
	return Fingerprint(string(canonical))
}
