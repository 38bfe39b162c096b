// The bench source: `count` rows of exactly `size` bytes of JSON, built as
// bench/src/payload.ts builds them, then idle until the host stops it.
package main

import (
	"strings"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
)

// skeleton is the length of {"id":1000000,"pad":""}: a row without padding.
const skeleton = 23

type benchSource struct {
	count int
	pad   string
}

// number reads a JSON number property, `fallback` when absent or not a number.
func number(props map[string]interface{}, key string, fallback int) int {
	if f, ok := props[key].(float64); ok {
		return int(f)
	}
	return fallback
}

func (s *benchSource) Configure(_ string, props map[string]interface{}) error {
	s.count = number(props, "count", 0)
	s.pad = strings.Repeat("x", max(0, number(props, "size", 100)-skeleton))
	return nil
}

// Open emits every row (the SDK marshals each tuple as {"message":row,
// "meta":null}; map keys come out sorted, so `id` before `pad`), then waits.
func (s *benchSource) Open(ctx sdk.StreamContext, consumer chan<- sdk.SourceTuple, _ chan<- error) {
	for i := 0; i < s.count; i++ {
		row := map[string]interface{}{"id": 1000000 + i%8000000, "pad": s.pad}
		select {
		case consumer <- sdk.NewDefaultSourceTuple(row, nil):
		case <-ctx.Done():
			return
		}
	}
	<-ctx.Done()
}

func (s *benchSource) Close(sdk.StreamContext) error { return nil }
