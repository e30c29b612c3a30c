package delivery

import (
	"context"
	"log/slog"
	"sync"
)

// QueueCapacity bounds the deliveries waiting in a Queue.
const QueueCapacity = 1000

// Delivery is one message to send through one channel. ChannelID only
// labels log lines.
type Delivery struct {
	ChannelID string
	Channel   Channel
	Message   Message
}

// Queue delivers messages in the background, one worker at a time, with the
// Sender's timeouts and retries. Enqueue never blocks.
type Queue struct {
	sender  *Sender
	logger  *slog.Logger
	pending chan Delivery
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

// NewQueue starts a Queue's worker; Close stops it.
func NewQueue(sender *Sender, logger *slog.Logger) *Queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{sender: sender, logger: logger, pending: make(chan Delivery, QueueCapacity), cancel: cancel}
	q.done.Add(1)
	go q.work(ctx)
	return q
}

// Enqueue schedules d and reports whether it was accepted; a full queue
// drops d and logs it.
func (q *Queue) Enqueue(d Delivery) bool {
	select {
	case q.pending <- d:
		return true
	default:
		q.logger.Error("notification dropped: the delivery queue is full",
			"channel_id", d.ChannelID, "event", d.Message.Event, "incident_id", d.Message.IncidentID)
		return false
	}
}

// Close stops the worker, abandoning pending deliveries, and waits for it.
func (q *Queue) Close() {
	q.cancel()
	q.done.Wait()
}

func (q *Queue) work(ctx context.Context) {
	defer q.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-q.pending:
			attempts, err := q.sender.Send(ctx, d.Channel, d.Message)
			if err != nil {
				q.logger.Warn("notification delivery failed", "channel_id", d.ChannelID, "event", d.Message.Event,
					"incident_id", d.Message.IncidentID, "attempts", attempts, "error", err)
			}
		}
	}
}
