// Package backup writes, verifies and restores backups of a Keymate server's
// data directory.
//
// A backup is one file plus a JSON manifest beside it (FILE + ManifestSuffix).
// The file is a tar archive holding a consistent snapshot of the database
// (VACUUM INTO, trimmed to the included kinds of object) and the key that
// seals secrets at rest in that database; with encryption the archive is
// sealed with AES-256-GCM. The manifest records the file's SHA-256, its size,
// whether it is encrypted, and the number of objects of each kind at snapshot
// time, so that a restore drill can prove the file restores to what was
// backed up.
package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Files of a data directory that a backup holds.
const (
	// DatabaseFile is the server's SQLite database.
	DatabaseFile = "keymate.db"
	// SealerKeyFile is the key that seals secrets stored in the database.
	SealerKeyFile = "sealing.key"
)

// ManifestSuffix is appended to a backup file's path to name its manifest.
const ManifestSuffix = ".manifest.json"

// KeySize is the size of a backup encryption key: AES-256.
const KeySize = 32

// formatVersion identifies the layout described in the package comment.
const formatVersion = 1

// encryptedMagic starts every encrypted backup file; it is also the
// additional data that AES-GCM authenticates.
var encryptedMagic = []byte("KEYMATE-BACKUP-AES256GCM-1\n")

// Manifest describes a backup file.
type Manifest struct {
	Format     int              `json:"format"`
	File       string           `json:"file"` // the backup file's base name
	ScheduleID string           `json:"schedule_id"`
	RunID      string           `json:"run_id"`
	CreatedAt  time.Time        `json:"created_at"`
	SHA256     string           `json:"sha256"` // hex digest of the file's bytes
	SizeBytes  int64            `json:"size_bytes"`
	Encrypted  bool             `json:"encrypted"`
	Include    []string         `json:"include"`
	Counts     map[string]int64 `json:"counts"` // objects of each included kind at snapshot time
}

// ParseKey decodes a backup encryption key given as 32 bytes in base64
// (standard or URL alphabet, padded or not) or as 64 hexadecimal digits.
// The error never contains the key.
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if len(text) == 2*KeySize {
		if key, err := hex.DecodeString(text); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(text); err == nil && len(key) == KeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("the backup encryption key must be %d bytes, given as base64 or as %d hexadecimal digits", KeySize, 2*KeySize)
}

// LoadKeyFile reads a key file holding a key in a form ParseKey accepts.
func LoadKeyFile(path string) ([]byte, error) {
	text, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the key file.
	if err != nil {
		return nil, fmt.Errorf("reading the backup encryption key file: %w", err)
	}
	key, err := ParseKey(string(text))
	if err != nil {
		return nil, fmt.Errorf("backup encryption key file %s: %w", path, err)
	}
	return key, nil
}

// Request describes one backup to write.
type Request struct {
	// Store is the database to snapshot; DataDir holds its SealerKeyFile.
	Store   *store.Store
	DataDir string
	// Dir is the destination directory, created if missing.
	Dir string
	// ScheduleID and RunID identify the run in the manifest and file name.
	ScheduleID, RunID string
	// Include lists the kinds of object to keep (apiv1.BackupKinds).
	Include []string
	// Key encrypts the backup when non-nil.
	Key []byte
	// Verify runs a restore drill on the written file.
	Verify bool
	// Now is the backup's time.
	Now time.Time
}

// Result is a written backup. RestoreVerified is true when the restore drill
// passed.
type Result struct {
	File            string
	Manifest        Manifest
	RestoreVerified bool
}

// Create writes a backup as req says and, with req.Verify, runs a restore
// drill on it. When the drill fails, the written backup is returned together
// with the drill's error.
func Create(ctx context.Context, req Request) (Result, error) {
	if err := os.MkdirAll(req.Dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("creating the backup directory: %w", err)
	}
	scratch, err := os.MkdirTemp(req.Dir, ".keymate-backup-")
	if err != nil {
		return Result{}, fmt.Errorf("creating a scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)

	snapshot := filepath.Join(scratch, DatabaseFile)
	if err := req.Store.SnapshotInto(ctx, snapshot); err != nil {
		return Result{}, err
	}
	counts, err := store.TrimSnapshot(ctx, snapshot, req.Include)
	if err != nil {
		return Result{}, err
	}
	payload, err := archive(snapshot, filepath.Join(req.DataDir, SealerKeyFile))
	if err != nil {
		return Result{}, err
	}
	if req.Key != nil {
		if payload, err = encrypt(req.Key, payload); err != nil {
			return Result{}, err
		}
	}
	sum := sha256.Sum256(payload)
	name := fmt.Sprintf("keymate-%s-%s.kmbackup", req.Now.UTC().Format("20060102T150405Z"), req.RunID)
	m := Manifest{
		Format: formatVersion, File: name, ScheduleID: req.ScheduleID, RunID: req.RunID, CreatedAt: req.Now.UTC(),
		SHA256: hex.EncodeToString(sum[:]), SizeBytes: int64(len(payload)), Encrypted: req.Key != nil,
		Include: slices.Clone(req.Include), Counts: counts,
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("encoding the manifest: %w", err)
	}
	file := filepath.Join(req.Dir, name)
	if err := writeAtomic(file, payload); err != nil {
		return Result{}, err
	}
	if err := writeAtomic(file+ManifestSuffix, append(manifest, '\n')); err != nil {
		return Result{}, err
	}
	res := Result{File: file, Manifest: m}
	if !req.Verify {
		return res, nil
	}
	if _, err := Drill(ctx, file, req.Key); err != nil {
		return res, fmt.Errorf("restore drill: %w", err)
	}
	res.RestoreVerified = true
	return res, nil
}

// Drill proves that the backup file restores: its size and SHA-256 match the
// manifest, it decrypts with key (when encrypted), the database in it opens
// and passes SQLite's integrity check, and it holds as many objects of each
// kind as the manifest recorded at snapshot time. It restores into a scratch
// directory beside the file and removes it afterwards.
func Drill(ctx context.Context, file string, key []byte) (Manifest, error) {
	scratch, err := os.MkdirTemp(filepath.Dir(file), ".keymate-drill-")
	if err != nil {
		return Manifest{}, fmt.Errorf("creating a scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	return unpack(ctx, file, key, scratch)
}

// Restore restores the backup file into dataDir, which must be missing or
// empty, after the same checks as Drill. A server started on dataDir then
// serves every object of the snapshot.
func Restore(ctx context.Context, file, dataDir string, key []byte) (Manifest, error) {
	entries, err := os.ReadDir(dataDir)
	switch {
	case err == nil && len(entries) > 0:
		return Manifest{}, fmt.Errorf("refusing to restore into %s: the directory is not empty; restore into a new, empty data directory", dataDir)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return Manifest{}, fmt.Errorf("reading the data directory: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Manifest{}, fmt.Errorf("creating the data directory: %w", err)
	}
	scratch, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return Manifest{}, fmt.Errorf("creating a scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	m, err := unpack(ctx, file, key, scratch)
	if err != nil {
		return Manifest{}, err
	}
	for _, name := range []string{DatabaseFile, SealerKeyFile} {
		if err := os.Rename(filepath.Join(scratch, name), filepath.Join(dataDir, name)); err != nil {
			return Manifest{}, fmt.Errorf("moving the restored %s into place: %w", name, err)
		}
	}
	return m, nil
}

// unpack checks the backup file against its manifest, decrypts it, extracts
// it into dir and verifies the database there.
func unpack(ctx context.Context, file string, key []byte, dir string) (Manifest, error) {
	m, err := readManifest(file + ManifestSuffix)
	if err != nil {
		return Manifest{}, err
	}
	data, err := os.ReadFile(file) //nolint:gosec // G304: the operator or the schedule names the file.
	if err != nil {
		return Manifest{}, fmt.Errorf("reading the backup file: %w", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 || int64(len(data)) != m.SizeBytes {
		return Manifest{}, fmt.Errorf("checksum mismatch: %s has SHA-256 %s and %d bytes, but its manifest records %s and %d bytes; the file is corrupted or is not the file the manifest describes",
			file, got, len(data), m.SHA256, m.SizeBytes)
	}
	if m.Encrypted {
		if key == nil {
			return Manifest{}, errors.New("the backup is encrypted; give the backup encryption key it was written with")
		}
		if data, err = decrypt(key, data); err != nil {
			return Manifest{}, err
		}
	}
	if err := extract(data, dir); err != nil {
		return Manifest{}, err
	}
	counts, err := store.VerifySnapshot(ctx, filepath.Join(dir, DatabaseFile), m.Include)
	if err != nil {
		return Manifest{}, err
	}
	if !maps.Equal(counts, m.Counts) {
		return Manifest{}, fmt.Errorf("object counts differ: the restored copy holds %v, the manifest recorded %v at snapshot time", counts, m.Counts)
	}
	return m, nil
}

func readManifest(path string) (Manifest, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // G304: derived from the backup file's path.
	if err != nil {
		return Manifest{}, fmt.Errorf("reading the backup manifest (it must lie beside the backup file): %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("decoding the backup manifest %s: %w", path, err)
	}
	if m.Format != formatVersion {
		return Manifest{}, fmt.Errorf("backup manifest %s has format %d; this server reads format %d", path, m.Format, formatVersion)
	}
	return m, nil
}

// archive returns a tar archive of the database snapshot and the sealer key.
func archive(snapshot, sealerKey string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct{ name, path string }{{DatabaseFile, snapshot}, {SealerKeyFile, sealerKey}} {
		name, path := f.name, f.path
		data, err := os.ReadFile(path) //nolint:gosec // G304: files of the data directory.
		if err != nil {
			return nil, fmt.Errorf("reading %s for the backup: %w", name, err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data))}); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("archiving the backup: %w", err)
	}
	return buf.Bytes(), nil
}

// extract writes the archive's two files into dir, refusing anything else.
func extract(data []byte, dir string) error {
	tr := tar.NewReader(bytes.NewReader(data))
	found := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the backup archive: %w", err)
		}
		if h.Name != DatabaseFile && h.Name != SealerKeyFile {
			return fmt.Errorf("the backup archive holds an unexpected entry %q", h.Name)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("reading %s from the backup archive: %w", h.Name, err)
		}
		// h.Name is one of the two names checked above, so it cannot leave dir.
		if err := os.WriteFile(filepath.Join(dir, h.Name), content, 0o600); err != nil { //nolint:gosec // G305: see above.
			return fmt.Errorf("writing the restored %s: %w", h.Name, err)
		}
		found[h.Name] = true
	}
	if !found[DatabaseFile] || !found[SealerKeyFile] {
		return fmt.Errorf("the backup archive lacks %s or %s", DatabaseFile, SealerKeyFile)
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the backup encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating the cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// encrypt returns magic || nonce || AES-256-GCM(plaintext).
func encrypt(key, plaintext []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("reading a nonce: %w", err)
	}
	out := append(slices.Clone(encryptedMagic), nonce...)
	return gcm.Seal(out, nonce, plaintext, encryptedMagic), nil
}

func decrypt(key, data []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, encryptedMagic) || len(data) < len(encryptedMagic)+gcm.NonceSize() {
		return nil, errors.New("the backup file is not an encrypted Keymate backup")
	}
	rest := data[len(encryptedMagic):]
	plaintext, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], encryptedMagic)
	if err != nil {
		return nil, errors.New("cannot decrypt the backup: wrong backup encryption key (the checksum matched, so the file is intact)")
	}
	return plaintext, nil
}

// writeAtomic writes data to path through a synced temporary file in the
// same directory and a rename, so that path is either absent or complete.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
