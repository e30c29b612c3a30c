package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultLeaderInterval is how often a server tries to take, or checks that
// it holds, the lead of the servers of a PostgreSQL database. A leader that
// dies is replaced within about this long.
const DefaultLeaderInterval = time.Second

// Elect takes part in the election of the leader (store.Leadership), which
// alone runs the jobs registered with addLeaderJob, and logs when this
// server starts or stops leading; it is the periodic election job, and tests
// of replicas call it to decide who leads before they run the jobs. On
// SQLite the server always leads.
func (s *Server) Elect(ctx context.Context) error {
	was := s.leadership.Leading()
	leads, err := s.leadership.Lead(ctx)
	switch {
	case leads && !was:
		s.logger.Info("leading the periodic jobs of the servers of this database")
	case !leads && was:
		s.logger.Warn("no longer leading the periodic jobs; another server takes them over")
	}
	return err
}

// leaderGauge is keymate_leader: 1 on the server that leads, 0 elsewhere.
func (s *Server) leaderGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "keymate_leader",
		Help: "1 when this server leads the periodic jobs (alert evaluation, notification delivery, backups) of the servers sharing its database, else 0.",
	}, func() float64 {
		if s.leadership.Leading() {
			return 1
		}
		return 0
	})
}

// Leading reports whether this server led at its last election.
func (s *Server) Leading() bool { return s.leadership.Leading() }
