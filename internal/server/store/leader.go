package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// leaderLock is the advisory lock key that the leader of the servers of a
// PostgreSQL database holds.
const leaderLock = 0x6b65796d61746502 // "keymat" 0x02

// Leadership elects one leader among the servers of a database, which alone
// runs the periodic jobs that must not run twice (alert evaluation,
// notification delivery, backups). On SQLite, whose database one server
// holds, that server always leads. On PostgreSQL the leader holds a session
// advisory lock on a connection of its own: when the leader stops or dies,
// PostgreSQL ends its session and frees the lock, and the next server to
// try takes it.
type Leadership struct {
	url     string // PostgreSQL; "" on SQLite
	mu      sync.Mutex
	conn    *pgx.Conn // holds the lock while leading
	leading atomic.Bool
}

// Leadership returns the store's leadership; call Lead to take part.
func (s *Store) Leadership() *Leadership {
	l := &Leadership{url: s.pgURL}
	l.leading.Store(s.pg == nil)
	return l
}

// Lead tries to become the leader, or, when leading, checks that the lock
// is still held (its session alive), and reports whether this server leads.
func (l *Leadership) Lead(ctx context.Context) (bool, error) {
	if l.url == "" {
		return true, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err != nil {
			l.drop()
			return false, fmt.Errorf("leading: the lock's session ended: %w", err)
		}
		return true, nil
	}
	conn, err := pgx.Connect(ctx, l.url)
	if err != nil {
		return false, fmt.Errorf("trying to lead: %w", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(leaderLock)).Scan(&got); err != nil || !got {
		_ = conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return false, fmt.Errorf("trying to lead: %w", err)
		}
		return false, nil
	}
	l.conn = conn
	l.leading.Store(true)
	return true, nil
}

// Leading reports whether this server led at the last Lead.
func (l *Leadership) Leading() bool { return l.leading.Load() }

// Resign gives up the lead, if held, so that another server takes it at
// once.
func (l *Leadership) Resign() {
	if l.url == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drop()
}

func (l *Leadership) drop() {
	if l.conn != nil {
		_ = l.conn.Close(context.Background())
		l.conn = nil
	}
	l.leading.Store(false)
}
