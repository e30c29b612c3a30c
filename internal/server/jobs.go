package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// job is periodic background work, such as evaluating alert rules or running
// due backups. A job reads the time from the server's clock, never from the
// ticker, so tests run it with RunJobs after moving a manual clock.
type job struct {
	name       string
	interval   time.Duration
	run        func(ctx context.Context) error
	leaderOnly bool // runs only on the leader of the servers of the database (see leader.go)
}

// addJob registers periodic work that every server does, such as writing
// what its own requests did. A non-positive interval registers the job for
// RunJobs only.
func (s *Server) addJob(name string, interval time.Duration, run func(ctx context.Context) error) {
	s.jobs = append(s.jobs, job{name: name, interval: interval, run: run})
}

// addLeaderJob registers periodic work that must not run twice, and so runs
// only on the leader of the servers sharing the database.
func (s *Server) addLeaderJob(name string, interval time.Duration, run func(ctx context.Context) error) {
	s.jobs = append(s.jobs, job{name: name, interval: interval, run: run, leaderOnly: true})
}

// due reports whether j runs on this server now: leader-only jobs run on
// the leader only.
func (s *Server) due(j job) bool { return !j.leaderOnly || s.leadership.Leading() }

// RunJobs runs every periodic job once, in registration order, at the clock's
// current time, and returns their errors joined. Leader-only jobs run when
// this server leads; the election runs first.
func (s *Server) RunJobs(ctx context.Context) error {
	var errs []error
	for _, j := range s.jobs {
		if !s.due(j) {
			continue
		}
		if err := j.run(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
		}
	}
	return errors.Join(errs...)
}

// StartJobs runs each periodic job on its own ticker until ctx is done, and
// returns a function that waits for them to stop. A failing run is logged
// and retried at the next tick.
func (s *Server) StartJobs(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		if j.interval <= 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ticker := time.NewTicker(j.interval)
			defer ticker.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-ticker.C:
					if !s.due(j) {
						continue
					}
					started := time.Now()
					err := j.run(ctx)
					switch {
					case err != nil && ctx.Err() == nil:
						s.logger.Error("periodic job failed", "job", j.name, "error", err)
					case err == nil:
						s.logger.Debug("periodic job ran", "job", j.name, "duration_ms", float64(time.Since(started).Microseconds())/1000)
					}
				}
			}
		}()
	}
	return wg.Wait
}
