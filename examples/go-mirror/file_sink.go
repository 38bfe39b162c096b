package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
)

// fileSink appends every row to `path` as one line of JSON (a message holding
// a JSON array gives one line per element), flushing every `interval` ms.
// A file that cannot be opened or written is logged and does not stop the
// sink: the Go SDK closes a sink whose Open fails, so Open never fails here.
// The Go SDK sends no acks, whatever `requireAck` says.
//
// After a stop, the SDK's receive loop goes on calling Collect with an empty
// message (its `break` on a closed socket leaves the switch, not the loop).
// The first such call after Close fails, which ends the loop in the 2023 SDK;
// the newest SDK only logs the error and keeps calling, so later calls return
// nil rather than flood the host's log (the loop still spins until the
// process exits).
type fileSink struct {
	path     string
	interval time.Duration

	mu     sync.Mutex
	file   *os.File
	writer *bufio.Writer
	failed string
	closed bool // Close ran; Collect fails once, then ignores what comes
	told   bool // the first Collect after Close has failed
	done   chan struct{}
	wg     sync.WaitGroup
}

func (s *fileSink) Configure(props map[string]interface{}) error {
	s.path = "cache"
	s.interval = time.Second
	if v, ok := props["path"]; ok && v != nil {
		p, isStr := v.(string)
		if !isStr || p == "" {
			return fmt.Errorf("sink `file`: property `path` must be a non-empty string")
		}
		s.path = p
	}
	if v, ok := props["interval"]; ok && v != nil {
		f, isNum := v.(float64)
		if !isNum || f <= 0 {
			return fmt.Errorf("sink `file`: property `interval` must be a positive number")
		}
		s.interval = time.Duration(f * float64(time.Millisecond))
	}
	return nil
}

func (s *fileSink) Open(ctx sdk.StreamContext) error {
	f, err := os.OpenFile(s.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		s.failed = fmt.Sprintf("cannot open %s: %v", s.path, err)
		ctx.GetLogger().Errorf("file sink: %s", s.failed)
	} else {
		s.file = f
		s.writer = bufio.NewWriter(f)
	}
	s.done = make(chan struct{})
	s.wg.Add(1)
	go s.flushLoop()
	return nil
}

func (s *fileSink) flushLoop() {
	defer s.wg.Done()
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			s.flush()
		case <-s.done:
			return
		}
	}
}

func (s *fileSink) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writer != nil {
		if err := s.writer.Flush(); err != nil {
			s.failed = fmt.Sprintf("cannot write %s: %v", s.path, err)
		}
	}
}

func lines(data []byte) [][]byte {
	var rows []json.RawMessage
	if err := json.Unmarshal(data, &rows); err == nil {
		out := make([][]byte, 0, len(rows))
		for _, row := range rows {
			out = append(out, compact(row))
		}
		return out
	}
	return [][]byte{compact(data)}
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

func (s *fileSink) Collect(_ sdk.StreamContext, data interface{}) error {
	b, ok := data.([]byte)
	if !ok {
		b = []byte(fmt.Sprint(data))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		if s.told {
			return nil
		}
		s.told = true
		return fmt.Errorf("file sink: %s is closed", s.path)
	}
	if s.writer == nil {
		return fmt.Errorf("file sink: %s", s.failed)
	}
	for _, line := range lines(b) {
		_, _ = s.writer.Write(line)
		_ = s.writer.WriteByte('\n')
	}
	return nil
}

func (s *fileSink) Close(sdk.StreamContext) error {
	if s.done != nil {
		close(s.done)
		s.wg.Wait()
		s.done = nil
	}
	s.flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.file != nil {
		err := s.file.Close()
		s.file, s.writer = nil, nil
		return err
	}
	return nil
}
