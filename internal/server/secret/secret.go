// Package secret generates API key secrets and derives the values the server
// stores and shows instead of them: a SHA-256 hash for lookup and a short,
// non-secret fingerprint for display.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// Prefix starts every generated secret, so that leaked keys are easy to spot.
const Prefix = "km_"

// Generate returns a new secret: Prefix followed by 32 random bytes in
// unpadded base64url (43 characters).
func Generate() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes for a secret: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns the SHA-256 hash of a secret, the only form the server stores.
func Hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// Equal compares two secret hashes in constant time.
func Equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}
