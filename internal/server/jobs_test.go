package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRunJobsRunsEachJobOnceInOrderAndJoinsErrors(t *testing.T) {
	s := &Server{}
	var ran []string
	s.addJob("first", 0, func(context.Context) error { ran = append(ran, "first"); return errors.New("boom") })
	s.addJob("second", time.Minute, func(context.Context) error { ran = append(ran, "second"); return nil })

	err := s.RunJobs(t.Context())
	if got := strings.Join(ran, ","); got != "first,second" {
		t.Fatalf("jobs ran as %q, want first,second", got)
	}
	if err == nil || !strings.Contains(err.Error(), "first: boom") {
		t.Fatalf("RunJobs error = %v, want it to name the failing job", err)
	}
}

func TestStartJobsTicksUntilCancelled(t *testing.T) {
	s := &Server{logger: slog.New(slog.DiscardHandler)}
	ticks := make(chan struct{}, 10)
	s.addJob("ticker", time.Millisecond, func(context.Context) error {
		select {
		case ticks <- struct{}{}:
		default:
		}
		return nil
	})
	s.addJob("manual-only", 0, func(context.Context) error {
		t.Error("a job without an interval must not be started on a ticker")
		return nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	wait := s.StartJobs(ctx)
	<-ticks
	<-ticks
	cancel()
	wait() // returns only once every job goroutine has stopped
}
