package server

import (
	"crypto/rand"
	"encoding/hex"
)

// newID returns prefix + "_" + 24 random hex characters.
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return prefix + "_" + hex.EncodeToString(b)
}
