package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Copying a database between engines: a backup of a PostgreSQL database is a
// SQLite file, as on SQLite (SnapshotInto), and `keymate-server migrate`
// copies a single-host install into PostgreSQL (CopyInto). Both copy every
// table row by row, in one consistent read of the source and one
// transaction on the target.

// tables are the store's tables in the order the migrations create them, so
// that a row's foreign keys point to rows copied before it.
// TestTablesListsEveryTable keeps it whole.
var tables = []string{
	"api_keys", "audit_events", "idempotency_records", "notification_channels", "alert_rules",
	"alert_rule_channels", "alert_incidents", "access_grants", "access_grant_reviews", "backup_schedules",
	"backup_runs", "notification_outbox", "idempotent_creates", "api_key_usage", "server_settings", "rate_buckets",
	"request_outcomes",
}

// CopyInto copies every row of s into target, which must hold none (a new
// database: refused otherwise, so that nothing is merged or lost), in one
// transaction of target, from one consistent read of s. It returns the
// number of rows copied of each table.
func (s *Store) CopyInto(ctx context.Context, target *Store) (map[string]int64, error) {
	counts := map[string]int64{}
	return counts, s.readSnapshot(ctx, func(from querier) error {
		return target.writeAll(ctx, func(tx *Tx) error {
			for _, table := range tables {
				var n int64
				if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
					return fmt.Errorf("checking that the target is empty: %w", err)
				}
				if n > 0 {
					return fmt.Errorf("the target database is not empty: %s has %d rows; copy only into a new database", table, n)
				}
			}
			for _, table := range tables {
				n, err := target.copyTable(ctx, from, tx, table)
				if err != nil {
					return err
				}
				counts[table] = n
			}
			return target.resetSequences(ctx, tx)
		})
	})
}

// readSnapshot runs fn on one consistent read of s: on PostgreSQL a
// read-only REPEATABLE READ transaction, on SQLite the writer's connection,
// on which no other write runs meanwhile.
func (s *Store) readSnapshot(ctx context.Context, fn func(from querier) error) error {
	if s.pg == nil {
		return s.InTx(ctx, func(tx *Tx) error { return fn(tx.tx) })
	}
	tx, err := s.pg.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("reading the database: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(&pgConn{tx: tx})
}

// writeAll runs fn once in one transaction of s (not again on a conflict:
// a copy target has no other writers).
func (s *Store) writeAll(ctx context.Context, fn func(tx *Tx) error) error {
	if s.pg == nil {
		return s.InTx(ctx, fn)
	}
	return s.pgTx(ctx, sql.LevelSerializable, fn)
}

// copyTable copies the rows of table from one database to tx, column by
// column by name. SQLite keeps booleans as integers; they become booleans
// where the target (PostgreSQL) has a boolean column.
func (s *Store) copyTable(ctx context.Context, from querier, tx *Tx, table string) (int64, error) {
	bools, err := s.booleanColumns(ctx, tx, table)
	if err != nil {
		return 0, err
	}
	rows, err := from.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", table, err)
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", table, err)
	}
	insert := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + `)`
	values := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range values {
		ptrs[i] = &values[i]
	}
	var copied int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("reading %s: %w", table, err)
		}
		for i, c := range columns {
			if n, ok := values[i].(int64); ok && slices.Contains(bools, c) {
				values[i] = n != 0
			}
		}
		if _, err := tx.tx.ExecContext(ctx, insert, values...); err != nil {
			return 0, fmt.Errorf("copying a row of %s: %w", table, err)
		}
		copied++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading %s: %w", table, err)
	}
	return copied, nil
}

// booleanColumns lists the boolean columns of table on PostgreSQL (none on
// SQLite, which has no such type).
func (s *Store) booleanColumns(ctx context.Context, tx *Tx, table string) ([]string, error) {
	if s.pg == nil {
		return nil, nil
	}
	return queryAll(ctx, tx.tx, "reading the columns of "+table, scanString, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? AND data_type = 'boolean'`, table)
}

// resetSequences moves each PostgreSQL sequence of a seq column past the
// rows copied, so that new rows get new numbers.
func (s *Store) resetSequences(ctx context.Context, tx *Tx) error {
	if s.pg == nil {
		return nil // SQLite's AUTOINCREMENT follows the rows inserted
	}
	withSeq, err := queryAll(ctx, tx.tx, "reading the tables with a sequence", scanString, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'seq'`)
	if err != nil {
		return err
	}
	for _, table := range withSeq {
		if _, err := tx.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, 'seq'), COALESCE((SELECT MAX(seq) FROM `+table+`), 0) + 1, false)`, table); err != nil {
			return fmt.Errorf("moving the sequence of %s: %w", table, err)
		}
	}
	return nil
}
