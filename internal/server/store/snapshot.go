package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// kindTables maps each kind of object a backup can include to its tables; the
// first table holds the objects that are counted, the others their details
// (the links between alert rules and channels, and the notifications of
// incidents to channels, belong to both kinds).
var kindTables = map[string][]string{
	apiv1.IncludeAPIKeys:              {"api_keys", "api_key_usage"},
	apiv1.IncludeNotificationChannels: {"notification_channels", "alert_rule_channels", "notification_outbox"},
	apiv1.IncludeAlertRules:           {"alert_rules", "alert_rule_channels", "alert_incidents", "notification_outbox"},
	apiv1.IncludeAccessGrants:         {"access_grants", "access_grant_reviews"},
	apiv1.IncludeBackupSchedules:      {"backup_schedules", "backup_runs"},
}

// SnapshotInto writes a consistent copy of the database to path, which must
// not exist (VACUUM INTO reads one snapshot of the database). It uses a
// connection of its own: the read connections are query_only, which VACUUM
// INTO is not, and the write connection stays free for writers meanwhile.
//
// A PostgreSQL database is copied into a new SQLite database at path
// (CopyInto), so that backups have one format whatever the engine.
func (s *Store) SnapshotInto(ctx context.Context, path string) error {
	if s.pg != nil {
		snapshot, err := Open(ctx, path)
		if err != nil {
			return fmt.Errorf("snapshotting the database: %w", err)
		}
		_, err = s.CopyInto(ctx, snapshot)
		if err = errors.Join(err, snapshot.Close()); err != nil {
			return fmt.Errorf("snapshotting the database: %w", err)
		}
		return nil
	}
	db, err := sql.Open("sqlite", s.dsn)
	if err != nil {
		return fmt.Errorf("snapshotting the database: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("snapshotting the database: %w", err)
	}
	return nil
}

// TrimSnapshot keeps in the database copy at path only the objects of the
// kinds in include (apiv1.BackupKinds), compacts it, and returns the number of
// objects of each included kind.
func TrimSnapshot(ctx context.Context, path string, include []string) (map[string]int64, error) {
	db, err := openCopy(path, false)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for _, kind := range apiv1.BackupKinds {
		if slices.Contains(include, kind) {
			continue
		}
		tables := kindTables[kind]
		for i := len(tables) - 1; i >= 0; i-- { // details before the objects they belong to
			if err := deleteAll(ctx, db, tables[i]); err != nil {
				return nil, err
			}
		}
	}
	// A rollback journal makes the copy one self-contained file that opens
	// read-only without a WAL index beside it.
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		return nil, fmt.Errorf("preparing the snapshot: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return nil, fmt.Errorf("compacting the snapshot: %w", err)
	}
	return countObjects(ctx, db, include)
}

// VerifySnapshot opens the database copy at path read-only, runs SQLite's
// integrity check and returns the number of objects of each kind in include.
func VerifySnapshot(ctx context.Context, path string, include []string) (map[string]int64, error) {
	db, err := openCopy(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("checking the integrity of the copy: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("checking the integrity of the copy: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("checking the integrity of the copy: %w", err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the copy fails SQLite's integrity check: %v", problems)
	}
	return countObjects(ctx, db, include)
}

func openCopy(path string, readOnly bool) (*sql.DB, error) {
	dsn := "file:" + path
	if readOnly {
		dsn += "?mode=ro"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the database copy: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func tableExists(ctx context.Context, db *sql.DB, table string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("opening the database copy: %w", err)
	}
	return n > 0, nil
}

func deleteAll(ctx context.Context, db *sql.DB, table string) error {
	exists, err := tableExists(ctx, db, table)
	if err != nil || !exists {
		return err
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return fmt.Errorf("removing %s from the snapshot: %w", table, err)
	}
	return nil
}

// countObjects counts the objects of each kind; a kind whose table does not
// exist in this database has none.
func countObjects(ctx context.Context, db *sql.DB, kinds []string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, kind := range kinds {
		tables, ok := kindTables[kind]
		if !ok {
			return nil, fmt.Errorf("unknown kind of object %q", kind)
		}
		exists, err := tableExists(ctx, db, tables[0])
		if err != nil {
			return nil, err
		}
		var n int64
		if exists {
			err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+tables[0]).Scan(&n)
		}
		if err != nil {
			return nil, fmt.Errorf("counting %s: %w", kind, err)
		}
		counts[kind] = n
	}
	return counts, nil
}
