package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// databaseURLEnv is --database-url's variable, from which migrate takes its
// target too, so that a password stays off the command line.
const databaseURLEnv = "KEYMATE_DATABASE_URL"

// migrateUsage introduces the migrate command's flags in its usage text.
const migrateUsage = `Usage:
  keymate-server migrate --from sqlite:DATA-DIR [--to postgres://USER@HOST:PORT/DB]

Copies the SQLite database of a single-host install (stop its server first)
into a new, empty PostgreSQL database, and refuses a database that holds any
row. The target defaults to ` + databaseURLEnv + `, which keeps its password off
the command line. Then start every replica with that database and a copy of
DATA-DIR/sealing.key in its own data directory.

Flags:
`

// copyIntoPostgres copies the SQLite database at path into the new, empty
// PostgreSQL database at target (store.CopyInto) and returns the rows copied
// of each table; migrate and restore --database-url share it.
func copyIntoPostgres(path, target string) (map[string]int64, error) {
	ctx := context.Background()
	source, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	dest, err := store.OpenPostgres(ctx, target)
	if err != nil {
		return nil, errors.Join(err, source.Close())
	}
	counts, err := source.CopyInto(ctx, dest)
	return counts, errors.Join(err, source.Close(), dest.Close())
}

// runMigrate is `keymate-server migrate`.
func runMigrate(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("keymate-server migrate", flag.ContinueOnError)
	from := flags.String("from", "", "the install to copy: sqlite:DATA-DIR, the data directory holding its "+backup.DatabaseFile)
	to := flags.String("to", "", "the new, empty PostgreSQL database (postgres:// or postgresql://); defaults to "+databaseURLEnv)
	if err := parseFlags(flags, migrateUsage, args, stdout, stderr); err != nil {
		return err
	}
	dir, ok := strings.CutPrefix(*from, "sqlite:")
	target := cmp.Or(*to, os.Getenv(databaseURLEnv))
	switch {
	case !ok || dir == "":
		return errors.New("migrate: --from must be sqlite:DATA-DIR")
	case !store.IsPostgresURL(target):
		return errors.New("migrate: --to (or " + databaseURLEnv + ") must be a postgres:// or postgresql:// URL")
	case flags.NArg() > 0:
		return fmt.Errorf("migrate: unexpected arguments %v", flags.Args())
	}
	path := filepath.Join(dir, backup.DatabaseFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("migrate: --from: %w", err)
	}
	counts, err := copyIntoPostgres(path, target)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(stdout, "Copied %s into %s:\n", path, describeDatabase(target))
	for _, table := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(stdout, "  %s: %d rows\n", table, counts[table])
	}
	fmt.Fprintf(stdout, "Start every server with --database-url (or %s) and a copy of %s in its data directory.\n",
		databaseURLEnv, filepath.Join(dir, backup.SealerKeyFile))
	return nil
}
