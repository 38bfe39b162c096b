// Command probe is a test-only plugin written with eKuiper's Go SDK
// (github.com/lf-edge/ekuiper/sdk/go), unmodified. The capture tool in the
// folder above starts it as a host would and records what the SDK puts on
// the wire. Its symbols do only what the capture needs:
//
//   - source `probe`: emits the tuples listed in config `emit` (each
//     {"message": object, "meta": object|null}, as api.DefaultSourceTuple),
//     then, if config `error` is a string, reports that error; then waits.
//   - sink `probe`: accepts every row and does nothing with it.
//   - function `vececho`: returns its only argument; an object argument with
//     a `fail` key makes it fail with that text as result, one with
//     `failError` makes it fail with an error value as result.
//   - function `vecagg`: an aggregate function that returns nil.
//
// The plugin name is `vecgoprobe` unless PORTABLE_PLUGIN_NAME overrides it.
package main

import (
	"errors"
	"fmt"
	"os"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
	"github.com/lf-edge/ekuiper/sdk/go/runtime"
)

type probeSource struct {
	emit    []interface{}
	errText *string
}

func (s *probeSource) Configure(_ string, props map[string]interface{}) error {
	if list, ok := props["emit"].([]interface{}); ok {
		s.emit = list
	}
	if text, ok := props["error"].(string); ok {
		s.errText = &text
	}
	return nil
}

func (s *probeSource) Open(ctx sdk.StreamContext, consumer chan<- sdk.SourceTuple, errCh chan<- error) {
	for _, item := range s.emit {
		tuple, _ := item.(map[string]interface{})
		message, _ := tuple["message"].(map[string]interface{})
		meta, _ := tuple["meta"].(map[string]interface{})
		select {
		case consumer <- sdk.NewDefaultSourceTuple(message, meta):
		case <-ctx.Done():
			return
		}
	}
	if s.errText != nil {
		select {
		case errCh <- errors.New(*s.errText):
		case <-ctx.Done():
			return
		}
	}
	<-ctx.Done()
}

func (s *probeSource) Close(sdk.StreamContext) error { return nil }

type probeSink struct{}

func (probeSink) Configure(map[string]interface{}) error       { return nil }
func (probeSink) Open(sdk.StreamContext) error                 { return nil }
func (probeSink) Collect(sdk.StreamContext, interface{}) error { return nil }
func (probeSink) Close(sdk.StreamContext) error                { return nil }

type echoFunction struct{}

func (echoFunction) Validate(args []interface{}) error {
	if len(args) != 1 {
		return fmt.Errorf("echo function only supports 1 parameter but got %d", len(args))
	}
	return nil
}

func (echoFunction) Exec(args []interface{}, _ sdk.FunctionContext) (interface{}, bool) {
	if len(args) != 1 {
		return fmt.Sprintf("echo function only supports 1 parameter but got %d", len(args)), false
	}
	if m, ok := args[0].(map[string]interface{}); ok {
		if text, ok := m["fail"].(string); ok {
			return text, false
		}
		if text, ok := m["failError"].(string); ok {
			return errors.New(text), false
		}
	}
	return args[0], true
}

func (echoFunction) IsAggregate() bool { return false }

type aggFunction struct{}

func (aggFunction) Validate([]interface{}) error                                { return nil }
func (aggFunction) Exec([]interface{}, sdk.FunctionContext) (interface{}, bool) { return nil, true }
func (aggFunction) IsAggregate() bool                                           { return true }

func main() {
	name := os.Getenv("PORTABLE_PLUGIN_NAME")
	if name == "" {
		name = "vecgoprobe"
	}
	runtime.Start(os.Args, &runtime.PluginConfig{
		Name:      name,
		Sources:   map[string]runtime.NewSourceFunc{"probe": func() sdk.Source { return &probeSource{} }},
		Sinks:     map[string]runtime.NewSinkFunc{"probe": func() sdk.Sink { return probeSink{} }},
		Functions: map[string]runtime.NewFunctionFunc{"vececho": func() sdk.Function { return echoFunction{} }, "vecagg": func() sdk.Function { return aggFunction{} }},
	})
}
