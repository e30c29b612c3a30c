package server

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPathHiderShowsNoHostPath proves that a backup error's text loses every
// path of the server's own directories: a path under the backup root becomes
// relative to it (as the API names destinations and files), and the
// directories themselves and paths in the data directory are named by role.
func TestPathHiderShowsNoHostPath(t *testing.T) {
	dataDir := t.TempDir()
	root := filepath.Join(dataDir, "backups")
	h := pathHider(dataDir, root)
	for in, want := range map[string]string{
		"creating the backup directory: mkdir " + filepath.Join(root, "nightly", "db") + ": permission denied": "creating the backup directory: mkdir nightly/db: permission denied",
		"checksum mismatch: " + filepath.Join(root, "x.kmbackup") + " has SHA-256 ab":                          "checksum mismatch: x.kmbackup has SHA-256 ab",
		"reading sealing.key for the backup: open " + filepath.Join(dataDir, "sealing.key") + ": EIO":          "reading sealing.key for the backup: open sealing.key: EIO",
		"opening " + root + ": gone":    "opening the backup root: gone",
		"opening " + dataDir + ": gone": "opening the data directory: gone",
	} {
		got := h.Replace(in)
		if got != filepath.FromSlash(want) || strings.Contains(got, dataDir) {
			t.Errorf("%q became %q, want %q", in, got, want)
		}
	}
}
