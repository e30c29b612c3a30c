package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// restoreUsage introduces the restore command's flags in its usage text.
const restoreUsage = `Usage:
  keymate-server restore --from FILE --data-dir DIR [--backup-encryption-key-file KEYFILE]
                         [--database-url postgres://USER@HOST:PORT/DB]

Restores a backup file into a new, empty data directory, after checking the
file against its manifest, decrypting it (with the key file, else
` + backupKeyEnv + `) and verifying the restored database. With
--database-url (or ` + databaseURLEnv + `) the restored database is then copied
into that new, empty PostgreSQL database instead (as migrate does), and the
data directory keeps the backup's sealing key, which every replica needs.

Flags:
`

// runRestore is `keymate-server restore`: it restores a backup file into a
// new, empty data directory, after checking the file against its manifest,
// decrypting it and verifying the restored database.
func runRestore(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("keymate-server restore", flag.ContinueOnError)
	from := flags.String("from", "", "backup file to restore; its manifest (FILE"+backup.ManifestSuffix+") must lie beside it")
	dataDir := flags.String("data-dir", "", "new, empty data directory to restore into")
	keyFile := flags.String("backup-encryption-key-file", "", "file holding the key the backup was encrypted with; overrides "+backupKeyEnv)
	databaseURL := flags.String("database-url", "", "a new, empty PostgreSQL database to restore into, instead of SQLite in --data-dir; defaults to "+databaseURLEnv)
	if err := parseFlags(flags, restoreUsage, args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *from == "":
		return errors.New("restore: --from is required")
	case *dataDir == "":
		return errors.New("restore: --data-dir is required")
	case flags.NArg() > 0:
		return fmt.Errorf("restore: unexpected arguments %v", flags.Args())
	}
	key, err := loadBackupKey(*keyFile)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	target := cmp.Or(*databaseURL, os.Getenv(databaseURLEnv))
	if target != "" && !store.IsPostgresURL(target) {
		return errors.New("restore: --database-url (or " + databaseURLEnv + ") must be a postgres:// or postgresql:// URL")
	}
	m, err := backup.Restore(context.Background(), *from, *dataDir, key)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if target != "" {
		if err := moveIntoPostgres(*dataDir, target); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		*dataDir += " and " + describeDatabase(target)
	}
	fmt.Fprintf(stdout, "Restored %s (taken %s, run %s) into %s; it passed the integrity check and holds:\n",
		*from, m.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), m.RunID, *dataDir)
	kinds := make([]string, 0, len(m.Counts))
	for kind := range m.Counts {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		fmt.Fprintf(stdout, "  %s: %d\n", kind, m.Counts[kind])
	}
	if target != "" {
		fmt.Fprintf(stdout, "Start every replica with --database-url and a copy of the sealing.key in the data directory.\n")
		return nil
	}
	fmt.Fprintf(stdout, "Start keymate-server with --data-dir %s to serve it.\n", *dataDir)
	return nil
}

// moveIntoPostgres copies the SQLite database restored into dataDir into
// the new, empty PostgreSQL database at target and removes it from dataDir,
// which keeps the sealing key.
func moveIntoPostgres(dataDir, target string) error {
	path := filepath.Join(dataDir, backup.DatabaseFile)
	if _, err := copyIntoPostgres(path, target); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// loadBackupKey returns the backup encryption key from file, else from the
// environment, else nil (no key).
func loadBackupKey(file string) ([]byte, error) {
	if file != "" {
		return backup.LoadKeyFile(file)
	}
	if text := os.Getenv(backupKeyEnv); text != "" {
		key, err := backup.ParseKey(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", backupKeyEnv, err)
		}
		return key, nil
	}
	return nil, nil
}
