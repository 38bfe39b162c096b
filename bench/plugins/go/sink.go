// The bench sink: counts decoded rows and reports the count to the bench
// over a Unix socket when it sees the end mark (and, with `receipt`, after
// every row, since the Go SDK sends no acks).
package main

import (
	"encoding/json"
	"fmt"
	"net"
	goruntime "runtime"
	"strconv"
	"sync"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
)

const endMark = "__end"

type benchSink struct {
	notify  string
	receipt bool

	mu     sync.Mutex
	seen   int
	conn   net.Conn
	closed bool
}

func (s *benchSink) Configure(props map[string]interface{}) error {
	s.notify, _ = props["notify"].(string)
	s.receipt = props["receipt"] == true
	return nil
}

func (s *benchSink) Open(sdk.StreamContext) error { return nil }

func (s *benchSink) report(n int) error {
	if s.conn == nil {
		c, err := net.Dial("unix", s.notify)
		if err != nil {
			return fmt.Errorf("benchsink: cannot reach notify socket %s: %w", s.notify, err)
		}
		s.conn = c
	}
	_, err := s.conn.Write([]byte(strconv.Itoa(n) + "\n"))
	return err
}

func (s *benchSink) Collect(_ sdk.StreamContext, data interface{}) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		// The SDK's receive loop keeps calling Collect (with no data) after
		// the sink is closed; without this its goroutine would spin on a core
		// until the plugin exits, slowing every later scenario.
		goruntime.Goexit()
	}
	b, _ := data.([]byte)
	var row interface{}
	if err := json.Unmarshal(b, &row); err != nil {
		return fmt.Errorf("benchsink: undecodable message: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := row.(map[string]interface{}); ok {
		if _, end := m[endMark]; end {
			n := s.seen
			s.seen = 0
			return s.report(n)
		}
	}
	s.seen++
	if s.receipt {
		return s.report(s.seen)
	}
	return nil
}

func (s *benchSink) Close(sdk.StreamContext) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}
