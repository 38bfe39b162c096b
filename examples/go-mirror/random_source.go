package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"time"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
)

// randomSource emits, every `interval` ms, a copy of `pattern` whose numeric
// fields become int(value) + a random integer in [0, seed). `deduplicate` N
// skips a value equal to one of the last N sent (N < 0: any value sent
// before). `randomSeed` makes the sequence reproducible. Non-numeric fields of
// the pattern are left out.
type randomSource struct {
	interval    time.Duration
	seed        int64
	pattern     map[string]interface{}
	deduplicate int
	rng         *rand.Rand
	recent      []string
	seen        map[string]bool
}

func positiveInt(props map[string]interface{}, key string, def int64, required bool) (int64, error) {
	v, ok := props[key]
	if !ok || v == nil {
		if required {
			return 0, fmt.Errorf("source `random`: property `%s` is required", key)
		}
		return def, nil
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || f <= 0 {
		return 0, fmt.Errorf("source `random`: property `%s` must be a positive integer, got %v", key, v)
	}
	return int64(f), nil
}

func (s *randomSource) Configure(_ string, props map[string]interface{}) error {
	interval, err := positiveInt(props, "interval", 0, true)
	if err != nil {
		return err
	}
	s.interval = time.Duration(interval) * time.Millisecond
	if s.seed, err = positiveInt(props, "seed", 1, false); err != nil {
		return err
	}
	pattern, ok := props["pattern"].(map[string]interface{})
	if !ok {
		return fmt.Errorf("source `random`: property `pattern` must be an object")
	}
	s.pattern = pattern
	if v, ok := props["deduplicate"]; ok && v != nil {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) {
			return fmt.Errorf("source `random`: property `deduplicate` must be an integer, got %v", v)
		}
		s.deduplicate = int(f)
	}
	if v, ok := props["format"]; ok && v != nil {
		if f, isStr := v.(string); !isStr || strings.ToLower(f) != "json" {
			return fmt.Errorf("source `random`: only the `json` format is supported")
		}
	}
	if v, ok := props["randomSeed"].(float64); ok {
		s.rng = rand.New(rand.NewSource(int64(v)))
	} else {
		s.rng = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	s.seen = map[string]bool{}
	return nil
}

func (s *randomSource) next() map[string]interface{} {
	out := make(map[string]interface{}, len(s.pattern))
	for k, v := range s.pattern {
		if f, ok := v.(float64); ok {
			out[k] = int64(f) + s.rng.Int63n(s.seed)
		}
	}
	return out
}

// duplicate records value and reports whether it was already seen in the window.
func (s *randomSource) duplicate(value map[string]interface{}) bool {
	if s.deduplicate == 0 {
		return false
	}
	b, _ := json.Marshal(value) // map keys are sorted
	key := string(b)
	if s.seen[key] {
		return true
	}
	s.seen[key] = true
	if s.deduplicate > 0 {
		s.recent = append(s.recent, key)
		if len(s.recent) > s.deduplicate {
			delete(s.seen, s.recent[0])
			s.recent = s.recent[1:]
		}
	}
	return false
}

func (s *randomSource) Open(ctx sdk.StreamContext, consumer chan<- sdk.SourceTuple, _ chan<- error) {
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			value := s.next()
			if s.duplicate(value) {
				continue
			}
			select {
			case consumer <- sdk.NewDefaultSourceTuple(value, nil):
			case <-ctx.Done():
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func (s *randomSource) Close(sdk.StreamContext) error { return nil }
