package live

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
)

// Message is one encoded SSE message.
type Message struct {
	ID   uint64
	Type string
	Data []byte // the complete wire form: "id: …\nevent: …\ndata: …\n\n"
}

// Broker holds the subscribers and the recent messages.
type Broker struct {
	mu     sync.Mutex
	nextID uint64
	first  uint64    // the ID of this run's first message
	ring   []Message // the last len(ring) messages, by ID modulo len(ring)
	subs   map[*Subscription]struct{}
	buffer int
}

// NewBroker keeps the last history messages for catch-up and gives each
// subscriber a buffer of buffer messages. IDs start at 1.
func NewBroker(history, buffer int) *Broker { return NewBrokerAt(history, buffer, 1) }

// NewBrokerAt is NewBroker with IDs starting at first. A server starts
// each run above every ID of its earlier runs (e.g. from the clock), so a
// client reconnecting with an ID from before a restart is told to reload
// instead of being handed the new run's events as if nothing was missed.
func NewBrokerAt(history, buffer int, first uint64) *Broker {
	if history < 1 {
		history = 1
	}
	if first < 1 {
		first = 1
	}
	return &Broker{nextID: first, first: first, ring: make([]Message, history), subs: map[*Subscription]struct{}{}, buffer: buffer}
}

// Subscription is one client's stream.
type Subscription struct {
	C       chan Message  // messages, in order
	Dropped chan struct{} // closed when the broker drops a subscriber that fell behind
	b       *Broker
	once    sync.Once
}

// Publish encodes v as a message of type typ and sends it to every
// subscriber. It never blocks.
func (b *Broker) Publish(typ string, v any) (uint64, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("live: encode %s: %w", typ, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	m := Message{ID: id, Type: typ}
	m.Data = append(m.Data, "id: "+strconv.FormatUint(id, 10)+"\nevent: "+typ+"\ndata: "...)
	m.Data = append(m.Data, payload...)
	m.Data = append(m.Data, "\n\n"...)
	b.ring[id%uint64(len(b.ring))] = m
	for s := range b.subs {
		select {
		case s.C <- m:
		default:
			b.dropLocked(s)
		}
	}
	return id, nil
}

// Subscribe starts a stream. With lastID > 0 (from Last-Event-ID), the
// messages after it still in history come first; complete is false when
// some were already forgotten, and the client should reload its state.
func (b *Broker) Subscribe(lastID uint64) (s *Subscription, backlog []Message, complete bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s = &Subscription{C: make(chan Message, b.buffer), Dropped: make(chan struct{}), b: b}
	b.subs[s] = struct{}{}
	complete = true
	if lastID > 0 && lastID < b.nextID-1 {
		first := lastID + 1
		oldest := b.first
		if b.nextID-b.first > uint64(len(b.ring)) {
			oldest = b.nextID - uint64(len(b.ring))
		}
		if first < oldest {
			first, complete = oldest, false
		}
		for id := first; id < b.nextID; id++ {
			backlog = append(backlog, b.ring[id%uint64(len(b.ring))])
		}
	} else if lastID >= b.nextID {
		complete = false // the client saw IDs from an earlier run of the server
	}
	return s, backlog, complete
}

// LastID is the ID of the latest message (one below the first ID before any).
func (b *Broker) LastID() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nextID - 1
}

// Subscribers is how many streams are open.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	delete(s.b.subs, s)
}

func (b *Broker) dropLocked(s *Subscription) {
	delete(b.subs, s)
	s.once.Do(func() { close(s.Dropped) })
}
