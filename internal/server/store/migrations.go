package store

import (
	"context"
	"fmt"
	"slices"
)

// migration is one schema change. Migrations are applied in order and each is
// recorded in schema_migrations, so a database is migrated exactly once per
// step. Append new migrations; never edit or reorder applied ones.
type migration struct {
	version  int
	name     string
	sql      string // for SQLite, and for PostgreSQL unless postgres is set
	postgres string // for PostgreSQL, where its SQL differs from SQLite's
}

// text is the migration's SQL for the store's engine.
func (m migration) text(s *Store) string {
	if s.pg != nil && m.postgres != "" {
		return m.postgres
	}
	return m.sql
}

var migrations = []migration{
	{
		version: 1,
		name:    "create api_keys",
		sql: `
CREATE TABLE api_keys (
	seq                        INTEGER PRIMARY KEY AUTOINCREMENT,
	id                         TEXT    NOT NULL UNIQUE,
	name                       TEXT    NOT NULL,
	description                TEXT    NOT NULL,
	scopes                     TEXT    NOT NULL,
	rotation_days              INTEGER NOT NULL,
	rotation_grace_ns          INTEGER NOT NULL,
	expires_at                 INTEGER,
	secret_hash                BLOB    NOT NULL UNIQUE,
	secret_source              TEXT    NOT NULL,
	previous_secret_hash       BLOB,
	previous_secret_expires_at INTEGER,
	created_at                 INTEGER NOT NULL,
	updated_at                 INTEGER NOT NULL,
	rotated_at                 INTEGER NOT NULL,
	last_used_at               INTEGER,
	revoked_at                 INTEGER,
	version                    INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_keys_unrevoked_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_previous_secret_hash ON api_keys (previous_secret_hash);`,
		postgres: `
CREATE TABLE api_keys (
	seq                        BIGSERIAL PRIMARY KEY,
	id                         TEXT    NOT NULL UNIQUE,
	name                       TEXT    NOT NULL,
	description                TEXT    NOT NULL,
	scopes                     TEXT    NOT NULL,
	rotation_days              BIGINT NOT NULL,
	rotation_grace_ns          BIGINT NOT NULL,
	expires_at                 BIGINT,
	secret_hash                BYTEA   NOT NULL UNIQUE,
	secret_source              TEXT    NOT NULL,
	previous_secret_hash       BYTEA,
	previous_secret_expires_at BIGINT,
	created_at                 BIGINT NOT NULL,
	updated_at                 BIGINT NOT NULL,
	rotated_at                 BIGINT NOT NULL,
	last_used_at               BIGINT,
	revoked_at                 BIGINT,
	version                    BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_keys_unrevoked_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_previous_secret_hash ON api_keys (previous_secret_hash);`,
	},
	{
		version: 2,
		name:    "create audit_events",
		sql: `
CREATE TABLE audit_events (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT    NOT NULL UNIQUE,
	time           INTEGER NOT NULL,
	actor_key_id   TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	object_type    TEXT    NOT NULL,
	object_id      TEXT    NOT NULL,
	request_id     TEXT    NOT NULL,
	changed_fields TEXT    NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_time ON audit_events (time);`,
		postgres: `
CREATE TABLE audit_events (
	seq            BIGSERIAL PRIMARY KEY,
	id             TEXT    NOT NULL UNIQUE,
	time           BIGINT NOT NULL,
	actor_key_id   TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	object_type    TEXT    NOT NULL,
	object_id      TEXT    NOT NULL,
	request_id     TEXT    NOT NULL,
	changed_fields TEXT    NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_time ON audit_events (time);`,
	},
	{
		version: 3,
		name:    "create idempotency_records",
		sql: `
CREATE TABLE idempotency_records (
	actor_key_id    TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	request_hash    BLOB    NOT NULL,
	status          INTEGER NOT NULL,
	etag            TEXT    NOT NULL,
	sealed_body     BLOB    NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (actor_key_id, idempotency_key)
);
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);`,
		postgres: `
CREATE TABLE idempotency_records (
	actor_key_id    TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	request_hash    BYTEA   NOT NULL,
	status          BIGINT NOT NULL,
	etag            TEXT    NOT NULL,
	sealed_body     BYTEA   NOT NULL,
	created_at      BIGINT NOT NULL,
	PRIMARY KEY (actor_key_id, idempotency_key)
);
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);`,
	},
	{
		version: 4,
		name:    "create notification_channels",
		sql: `
CREATE TABLE notification_channels (
	seq              INTEGER PRIMARY KEY AUTOINCREMENT,
	id               TEXT    NOT NULL UNIQUE,
	name             TEXT    NOT NULL,
	type             TEXT    NOT NULL,
	enabled          INTEGER NOT NULL,
	sealed_config    BLOB    NOT NULL,
	last_test_at     INTEGER,
	last_test_status TEXT    NOT NULL,
	last_test_error  TEXT    NOT NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	version          INTEGER NOT NULL
);
CREATE INDEX notification_channels_type ON notification_channels (type);`,
		postgres: `
CREATE TABLE notification_channels (
	seq              BIGSERIAL PRIMARY KEY,
	id               TEXT    NOT NULL UNIQUE,
	name             TEXT    NOT NULL,
	type             TEXT    NOT NULL,
	enabled          BOOLEAN NOT NULL,
	sealed_config    BYTEA   NOT NULL,
	last_test_at     BIGINT,
	last_test_status TEXT    NOT NULL,
	last_test_error  TEXT    NOT NULL,
	created_at       BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL,
	version          BIGINT NOT NULL
);
CREATE INDEX notification_channels_type ON notification_channels (type);`,
	},
	{
		version: 5,
		name:    "create alert_rules",
		sql: `
CREATE TABLE alert_rules (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL,
	enabled     INTEGER NOT NULL,
	severity    TEXT    NOT NULL,
	metric      TEXT    NOT NULL,
	operator    TEXT    NOT NULL,
	threshold   REAL    NOT NULL,
	window_ns   INTEGER NOT NULL,
	renotify_ns INTEGER NOT NULL,
	labels      TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	version     INTEGER NOT NULL
);
CREATE TABLE alert_rule_channels (
	rule_id    TEXT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
	channel_id TEXT NOT NULL REFERENCES notification_channels (id),
	PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel ON alert_rule_channels (channel_id);`,
		postgres: `
CREATE TABLE alert_rules (
	seq         BIGSERIAL PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL,
	enabled     BOOLEAN NOT NULL,
	severity    TEXT    NOT NULL,
	metric      TEXT    NOT NULL,
	operator    TEXT    NOT NULL,
	threshold   DOUBLE PRECISION NOT NULL,
	window_ns   BIGINT NOT NULL,
	renotify_ns BIGINT NOT NULL,
	labels      TEXT    NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	version     BIGINT NOT NULL
);
CREATE TABLE alert_rule_channels (
	rule_id    TEXT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
	channel_id TEXT NOT NULL REFERENCES notification_channels (id),
	PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel ON alert_rule_channels (channel_id);`,
	},
	{
		version: 6,
		name:    "create alert_incidents",
		sql: `
CREATE TABLE alert_incidents (
	seq                INTEGER PRIMARY KEY AUTOINCREMENT,
	id                 TEXT    NOT NULL UNIQUE,
	rule_id            TEXT    NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
	status             TEXT    NOT NULL,
	opened_at          INTEGER NOT NULL,
	resolved_at        INTEGER,
	value              REAL    NOT NULL,
	last_value         REAL    NOT NULL,
	notifications_sent INTEGER NOT NULL,
	last_notified_at   INTEGER
);
CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents (rule_id) WHERE status = 'open';
CREATE INDEX alert_incidents_rule ON alert_incidents (rule_id, seq);`,
		postgres: `
CREATE TABLE alert_incidents (
	seq                BIGSERIAL PRIMARY KEY,
	id                 TEXT    NOT NULL UNIQUE,
	rule_id            TEXT    NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
	status             TEXT    NOT NULL,
	opened_at          BIGINT NOT NULL,
	resolved_at        BIGINT,
	value              DOUBLE PRECISION NOT NULL,
	last_value         DOUBLE PRECISION NOT NULL,
	notifications_sent BIGINT NOT NULL,
	last_notified_at   BIGINT
);
CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents (rule_id) WHERE status = 'open';
CREATE INDEX alert_incidents_rule ON alert_incidents (rule_id, seq);`,
	},
	{
		version: 10,
		name:    "create access_grants",
		sql: `
CREATE TABLE access_grants (
	seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
	id                   TEXT    NOT NULL UNIQUE,
	principal_type       TEXT    NOT NULL,
	principal_id         TEXT    NOT NULL,
	role                 TEXT    NOT NULL,
	resource             TEXT    NOT NULL,
	expires_at           INTEGER,
	justification        TEXT    NOT NULL,
	ticket               TEXT    NOT NULL,
	review_interval_days INTEGER NOT NULL,
	last_reviewed_at     INTEGER,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL,
	revoked_at           INTEGER,
	version              INTEGER NOT NULL
);
CREATE INDEX access_grants_principal ON access_grants (principal_type, principal_id);`,
		postgres: `
CREATE TABLE access_grants (
	seq                  BIGSERIAL PRIMARY KEY,
	id                   TEXT    NOT NULL UNIQUE,
	principal_type       TEXT    NOT NULL,
	principal_id         TEXT    NOT NULL,
	role                 TEXT    NOT NULL,
	resource             TEXT    NOT NULL,
	expires_at           BIGINT,
	justification        TEXT    NOT NULL,
	ticket               TEXT    NOT NULL,
	review_interval_days BIGINT NOT NULL,
	last_reviewed_at     BIGINT,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL,
	revoked_at           BIGINT,
	version              BIGINT NOT NULL
);
CREATE INDEX access_grants_principal ON access_grants (principal_type, principal_id);`,
	},
	{
		version: 11,
		name:    "create access_grant_reviews",
		sql: `
CREATE TABLE access_grant_reviews (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT    NOT NULL UNIQUE,
	grant_id    TEXT    NOT NULL REFERENCES access_grants (id),
	reviewer    TEXT    NOT NULL,
	decision    TEXT    NOT NULL,
	comment     TEXT    NOT NULL,
	reviewed_at INTEGER NOT NULL
);
CREATE INDEX access_grant_reviews_grant ON access_grant_reviews (grant_id);`,
		postgres: `
CREATE TABLE access_grant_reviews (
	seq         BIGSERIAL PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	grant_id    TEXT    NOT NULL REFERENCES access_grants (id),
	reviewer    TEXT    NOT NULL,
	decision    TEXT    NOT NULL,
	comment     TEXT    NOT NULL,
	reviewed_at BIGINT NOT NULL
);
CREATE INDEX access_grant_reviews_grant ON access_grant_reviews (grant_id);`,
	},
	{
		version: 12,
		name:    "create backup_schedules",
		sql: `
CREATE TABLE backup_schedules (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT    NOT NULL UNIQUE,
	name           TEXT    NOT NULL,
	cron           TEXT    NOT NULL,
	timezone       TEXT    NOT NULL,
	retention_days INTEGER NOT NULL,
	include        TEXT    NOT NULL,
	destination    TEXT    NOT NULL,
	encrypt        INTEGER NOT NULL,
	verify_restore INTEGER NOT NULL,
	enabled        INTEGER NOT NULL,
	next_run_at    INTEGER,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	version        INTEGER NOT NULL
);`,
		postgres: `
CREATE TABLE backup_schedules (
	seq            BIGSERIAL PRIMARY KEY,
	id             TEXT    NOT NULL UNIQUE,
	name           TEXT    NOT NULL,
	cron           TEXT    NOT NULL,
	timezone       TEXT    NOT NULL,
	retention_days BIGINT NOT NULL,
	include        TEXT    NOT NULL,
	destination    TEXT    NOT NULL,
	encrypt        BOOLEAN NOT NULL,
	verify_restore BOOLEAN NOT NULL,
	enabled        BOOLEAN NOT NULL,
	next_run_at    BIGINT,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL,
	version        BIGINT NOT NULL
);`,
	},
	{
		version: 13,
		name:    "create backup_runs",
		sql: `
CREATE TABLE backup_runs (
	seq              INTEGER PRIMARY KEY AUTOINCREMENT,
	id               TEXT    NOT NULL UNIQUE,
	schedule_id      TEXT    NOT NULL,
	started_at       INTEGER NOT NULL,
	finished_at      INTEGER NOT NULL,
	status           TEXT    NOT NULL,
	size_bytes       INTEGER NOT NULL,
	sha256           TEXT    NOT NULL,
	encrypted        INTEGER NOT NULL,
	restore_verified INTEGER NOT NULL,
	error            TEXT    NOT NULL,
	file             TEXT    NOT NULL
);
CREATE INDEX backup_runs_schedule ON backup_runs (schedule_id, seq);`,
		postgres: `
CREATE TABLE backup_runs (
	seq              BIGSERIAL PRIMARY KEY,
	id               TEXT    NOT NULL UNIQUE,
	schedule_id      TEXT    NOT NULL,
	started_at       BIGINT NOT NULL,
	finished_at      BIGINT NOT NULL,
	status           TEXT    NOT NULL,
	size_bytes       BIGINT NOT NULL,
	sha256           TEXT    NOT NULL,
	encrypted        BOOLEAN NOT NULL,
	restore_verified BOOLEAN NOT NULL,
	error            TEXT    NOT NULL,
	file             TEXT    NOT NULL
);
CREATE INDEX backup_runs_schedule ON backup_runs (schedule_id, seq);`,
	},
	{
		version: 14,
		name:    "create notification_outbox",
		// No foreign key to notification_channels: a channel may be deleted
		// while a delivery to it is pending, which then fails at send time.
		// The payload is the message only; the channel's secrets stay sealed
		// in notification_channels and are read when sending.
		sql: `
CREATE TABLE notification_outbox (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT    NOT NULL UNIQUE,
	channel_id      TEXT    NOT NULL,
	event           TEXT    NOT NULL,
	incident_id     TEXT    NOT NULL,
	payload         BLOB    NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	status          TEXT    NOT NULL,
	last_error      TEXT    NOT NULL
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);`,
		postgres: `
CREATE TABLE notification_outbox (
	seq             BIGSERIAL PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	channel_id      TEXT    NOT NULL,
	event           TEXT    NOT NULL,
	incident_id     TEXT    NOT NULL,
	payload         BYTEA   NOT NULL,
	attempts        BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	created_at      BIGINT NOT NULL,
	status          TEXT    NOT NULL,
	last_error      TEXT    NOT NULL
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);`,
	},
	{
		version: 15,
		name:    "create idempotent_creates",
		// Which object each POST with an Idempotency-Key created (and the hash
		// of that request), for as long as the object lives: the triggers
		// forget an object when it is deleted or revoked, so a key never leads
		// to a dead object.
		sql: `
CREATE TABLE idempotent_creates (
	actor_key_id    TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	object_type     TEXT    NOT NULL,
	object_id       TEXT    NOT NULL,
	request_hash    BLOB    NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (actor_key_id, idempotency_key)
);
CREATE INDEX idempotent_creates_object ON idempotent_creates (object_id);
CREATE INDEX idempotent_creates_request ON idempotent_creates (actor_key_id, request_hash);
CREATE TRIGGER idempotent_creates_api_key_revoked AFTER UPDATE OF revoked_at ON api_keys WHEN NEW.revoked_at IS NOT NULL
BEGIN DELETE FROM idempotent_creates WHERE object_id = NEW.id; END;
CREATE TRIGGER idempotent_creates_access_grant_revoked AFTER UPDATE OF revoked_at ON access_grants WHEN NEW.revoked_at IS NOT NULL
BEGIN DELETE FROM idempotent_creates WHERE object_id = NEW.id; END;
CREATE TRIGGER idempotent_creates_channel_deleted AFTER DELETE ON notification_channels
BEGIN DELETE FROM idempotent_creates WHERE object_id = OLD.id; END;
CREATE TRIGGER idempotent_creates_alert_rule_deleted AFTER DELETE ON alert_rules
BEGIN DELETE FROM idempotent_creates WHERE object_id = OLD.id; END;
CREATE TRIGGER idempotent_creates_backup_schedule_deleted AFTER DELETE ON backup_schedules
BEGIN DELETE FROM idempotent_creates WHERE object_id = OLD.id; END;`,
		postgres: `
CREATE TABLE idempotent_creates (
	actor_key_id    TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	object_type     TEXT    NOT NULL,
	object_id       TEXT    NOT NULL,
	request_hash    BYTEA   NOT NULL,
	created_at      BIGINT NOT NULL,
	PRIMARY KEY (actor_key_id, idempotency_key)
);
CREATE INDEX idempotent_creates_object ON idempotent_creates (object_id);
CREATE INDEX idempotent_creates_request ON idempotent_creates (actor_key_id, request_hash);
CREATE FUNCTION idempotent_creates_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM idempotent_creates WHERE object_id = OLD.id;
	RETURN NULL;
END $$;
CREATE TRIGGER idempotent_creates_api_key_revoked AFTER UPDATE OF revoked_at ON api_keys
FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION idempotent_creates_forget();
CREATE TRIGGER idempotent_creates_access_grant_revoked AFTER UPDATE OF revoked_at ON access_grants
FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION idempotent_creates_forget();
CREATE TRIGGER idempotent_creates_channel_deleted AFTER DELETE ON notification_channels
FOR EACH ROW EXECUTE FUNCTION idempotent_creates_forget();
CREATE TRIGGER idempotent_creates_alert_rule_deleted AFTER DELETE ON alert_rules
FOR EACH ROW EXECUTE FUNCTION idempotent_creates_forget();
CREATE TRIGGER idempotent_creates_backup_schedule_deleted AFTER DELETE ON backup_schedules
FOR EACH ROW EXECUTE FUNCTION idempotent_creates_forget();`,
	},
	{
		version: 16,
		name:    "add api_keys.scope_last_used_at",
		// A JSON object: scope -> Unix nanoseconds of the last request that
		// needed it (written by RecordKeyUses, never by UpdateAPIKey).
		sql: `ALTER TABLE api_keys ADD COLUMN scope_last_used_at TEXT NOT NULL DEFAULT '{}';`,
	},
	{
		version: 17,
		name:    "create api_key_usage",
		// Requests per key, route and hour (hour_start: Unix nanoseconds of its
		// start), added to by every server that shares the database.
		sql: `
CREATE TABLE api_key_usage (
	key_id     TEXT    NOT NULL,
	route      TEXT    NOT NULL,
	hour_start INTEGER NOT NULL,
	requests   INTEGER NOT NULL,
	errors     INTEGER NOT NULL,
	PRIMARY KEY (key_id, route, hour_start)
);
CREATE INDEX api_key_usage_hour_start ON api_key_usage (hour_start);`,
		postgres: `
CREATE TABLE api_key_usage (
	key_id     TEXT    NOT NULL,
	route      TEXT    NOT NULL,
	hour_start BIGINT NOT NULL,
	requests   BIGINT NOT NULL,
	errors     BIGINT NOT NULL,
	PRIMARY KEY (key_id, route, hour_start)
);
CREATE INDEX api_key_usage_hour_start ON api_key_usage (hour_start);`,
	},
	{
		version: 18,
		name:    "index notification_outbox by incident",
		sql:     `CREATE INDEX notification_outbox_incident ON notification_outbox (incident_id);`,
	},
	{
		version: 19,
		name:    "create server_settings",
		// What every server of one database must agree on, such as a value
		// sealed with the sealing key, by which a server with another key
		// refuses to start.
		sql: `
CREATE TABLE server_settings (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB NOT NULL
);`,
		postgres: `
CREATE TABLE server_settings (
	name  TEXT  NOT NULL PRIMARY KEY,
	value BYTEA NOT NULL
);`,
	},
	{
		version: 20,
		name:    "create rate_buckets",
		// The token buckets of rate limits that the servers of one
		// PostgreSQL database share (TakeToken); a SQLite server keeps its
		// buckets in memory and leaves this table empty.
		sql: `
CREATE TABLE rate_buckets (
	limiter    TEXT    NOT NULL,
	bucket     TEXT    NOT NULL,
	tokens     REAL    NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (limiter, bucket)
);`,
		postgres: `
CREATE TABLE rate_buckets (
	limiter    TEXT             NOT NULL,
	bucket     TEXT             NOT NULL,
	tokens     DOUBLE PRECISION NOT NULL,
	updated_at BIGINT           NOT NULL,
	PRIMARY KEY (limiter, bucket)
);`,
	},
	{
		version: 21,
		name:    "create request_outcomes",
		// What the requests of each server of one PostgreSQL database came
		// to, per second (RecordOutcomes), from which the leader evaluates
		// alert rules over every server's requests (SumOutcomes); latency is
		// a JSON array of counts per bucket of metrics.LatencyBounds. A
		// SQLite server keeps its outcomes in memory and leaves this table
		// empty.
		sql: `
CREATE TABLE request_outcomes (
	server_id       TEXT    NOT NULL,
	second_start    INTEGER NOT NULL,
	requests        INTEGER NOT NULL,
	server_errors   INTEGER NOT NULL,
	auth_failures   INTEGER NOT NULL,
	throttled       INTEGER NOT NULL,
	latency         TEXT    NOT NULL,
	longest_latency INTEGER NOT NULL,
	PRIMARY KEY (server_id, second_start)
);
CREATE INDEX request_outcomes_second_start ON request_outcomes (second_start);`,
		postgres: `
CREATE TABLE request_outcomes (
	server_id       TEXT   NOT NULL,
	second_start    BIGINT NOT NULL,
	requests        BIGINT NOT NULL,
	server_errors   BIGINT NOT NULL,
	auth_failures   BIGINT NOT NULL,
	throttled       BIGINT NOT NULL,
	latency         TEXT   NOT NULL,
	longest_latency BIGINT NOT NULL,
	PRIMARY KEY (server_id, second_start)
);
CREATE INDEX request_outcomes_second_start ON request_outcomes (second_start);`,
	},
}

// migrate brings the database to the schema of migrations, all steps in
// one transaction together with their records in schema_migrations. It
// refuses, before changing anything, a list whose versions do not strictly
// increase, a database that holds a migration this list does not know
// (made by a newer server, or by another line of development), and a
// migration older than the database's newest that was never applied (one
// inserted into the list instead of appended): each would leave a schema no
// version of the server was tested with. Servers opening one database at
// once migrate it once: SQLite's writer holds the database for the whole
// transaction, and on PostgreSQL the transaction takes a lock first
// (schemaTx).
func (s *Store) migrate(ctx context.Context, migrations []migration) error {
	if err := checkOrder(migrations); err != nil {
		return err
	}
	return s.schemaTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name    TEXT NOT NULL
)`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		applied, err := queryAll(ctx, tx.tx, "reading schema_migrations", func(row scanner) (int, error) {
			var v int
			return v, row.Scan(&v)
		}, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		if err := checkApplied(migrations, applied); err != nil {
			return err
		}
		for _, m := range migrations {
			if slices.Contains(applied, m.version) {
				continue
			}
			if err := tx.tx.script(ctx, m.text(s)); err != nil {
				return fmt.Errorf("applying migration %d (%s): %w", m.version, m.name, err)
			}
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
				return fmt.Errorf("recording migration %d: %w", m.version, err)
			}
		}
		return nil
	})
}

// checkOrder returns an error unless the versions of migrations strictly
// increase.
func checkOrder(migrations []migration) error {
	for i := 1; i < len(migrations); i++ {
		if prev, m := migrations[i-1], migrations[i]; m.version <= prev.version {
			return fmt.Errorf("migration %d (%s) follows migration %d (%s): versions must increase; append new migrations at the end",
				m.version, m.name, prev.version, prev.name)
		}
	}
	return nil
}

// checkApplied returns an error when the database's applied versions (sorted)
// do not fit migrations: an applied version the list lacks, or a migration
// of the list older than the newest applied one that was never applied.
func checkApplied(migrations []migration, applied []int) error {
	if len(applied) == 0 {
		return nil
	}
	newest, latest := applied[len(applied)-1], 0
	if len(migrations) > 0 {
		latest = migrations[len(migrations)-1].version
	}
	known := func(v int) bool {
		return slices.ContainsFunc(migrations, func(m migration) bool { return m.version == v })
	}
	for _, v := range applied {
		switch {
		case known(v):
		case v > latest:
			return fmt.Errorf("the database has schema version %d, newer than this keymate-server knows (up to %d): "+
				"run the keymate-server that migrated it, or restore a backup made by this one", v, latest)
		default:
			return fmt.Errorf("the database has migration %d, which this keymate-server does not know: it was migrated by another build", v)
		}
	}
	for _, m := range migrations {
		if m.version < newest && !slices.Contains(applied, m.version) {
			return fmt.Errorf("migration %d (%s) is older than the database's newest migration %d but was never applied: "+
				"it was inserted into the list instead of appended with a new version", m.version, m.name, newest)
		}
	}
	return nil
}
