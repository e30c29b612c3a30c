package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The reads of the compliance report: whole collections, unpaginated,
// because the report judges every object.

// ActiveAPIKeys returns every key that is neither revoked nor expired at now,
// oldest first.
func (s *Store) ActiveAPIKeys(ctx context.Context, now time.Time) ([]APIKey, error) {
	return queryAll(ctx, s.db, "listing active API keys", scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq`, toNanos(now))
}

// AllNotificationChannels returns every notification channel, oldest first.
func (s *Store) AllNotificationChannels(ctx context.Context) ([]NotificationChannel, error) {
	return queryAll(ctx, s.db, "listing notification channels", scanNotificationChannel, `SELECT `+channelColumns+` FROM notification_channels ORDER BY seq`)
}

// LatestVerifiedRestore returns when the newest backup run whose restore
// drill passed finished, or nil when no run ever verified a restore.
func (s *Store) LatestVerifiedRestore(ctx context.Context) (*time.Time, error) {
	var latest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(finished_at) FROM backup_runs WHERE restore_verified`).Scan(&latest); err != nil {
		return nil, fmt.Errorf("finding the latest verified restore: %w", err)
	}
	return timeFromNullable(latest), nil
}
