package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// sealKeySize is the AES-256 key size in bytes.
const sealKeySize = 32

// Sealer encrypts data that must be kept at rest for a short while but may
// contain a secret, such as the recorded response of an idempotent create
// that is replayed to a retrying client.
type Sealer struct {
	aead cipher.AEAD
}

// LoadOrCreateSealer reads the AES-256 key at path, creating it with mode 0600
// when it does not exist.
func LoadOrCreateSealer(path string) (*Sealer, error) {
	key, err := os.ReadFile(path) //nolint:gosec // G304: the path is the server's own data directory.
	if errors.Is(err, os.ErrNotExist) {
		key, err = createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading seal key %s: %w", path, err)
	}
	if len(key) != sealKeySize {
		return nil, fmt.Errorf("seal key %s has %d bytes, want %d", path, len(key), sealKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating GCM: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext; the result starts with a random nonce.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("generating nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts data produced by Seal.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed data is shorter than a nonce")
	}
	plaintext, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("opening sealed data: %w", err)
	}
	return plaintext, nil
}

// createKey writes a new random key to path, which must not exist, and
// returns it. The key is written whole to a file of its own first and then
// linked to path, so that servers starting at once on one data directory
// never read a part of it: the first link wins, and the others read its key.
func createKey(path string) ([]byte, error) {
	key := make([]byte, sealKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating seal key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sealing-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(key)
	if err = errors.Join(err, tmp.Sync(), tmp.Close()); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return os.ReadFile(path) //nolint:gosec // G304: the path is the server's own data directory.
	} else if err != nil {
		return nil, err
	}
	return key, nil
}
