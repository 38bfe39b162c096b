// Command benchgo is the Go bench plugin, on eKuiper's Go SDK
// (github.com/lf-edge/ekuiper/sdk/go): the Go counterpart of
// bench/plugins/python and bench/plugins/ts, with the same rows.
//
//	source benchsource  props count, size: emits `count` rows of `size` bytes
//	                    as fast as the SDK's consumer channel takes them, then
//	                    idles until closed
//	sink   benchsink    props notify (a Unix socket path), receipt: decodes
//	                    every message; on a row holding `__end` writes the
//	                    count of rows before it as a line to `notify`, and
//	                    restarts. The Go SDK never acks, so with `receipt:
//	                    true` the sink also writes the running count after
//	                    every row: the bench's completion signal for the
//	                    "requireAck" row
//	func   benchechogo  returns its first argument
//
// The function is not called `benchecho` because the SDK keys the function
// channel by symbol alone (/tmp/func_<symbol>.ipc) and the Python bench
// plugin, run by the same bench at the same time, already serves that one.
// The plugin name comes from PORTABLE_PLUGIN_NAME (the SDK fixes it per
// binary; the bench sets it per install), the SDK's log level from
// PORTABLE_LOG_LEVEL (the bench sets `warn`: the SDK logs every start at info).
// BENCH_ECHO_SYMBOL renames the function: the bench's Go host
// (bench/peers/go-host) drives this same binary while our host serves
// /tmp/func_benchechogo.ipc, so it needs a symbol, hence a socket, of its own.
package main

import (
	"os"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
	sdkcontext "github.com/lf-edge/ekuiper/sdk/go/context"
	"github.com/lf-edge/ekuiper/sdk/go/runtime"
	"github.com/sirupsen/logrus"
)

func pluginName() string {
	if name := os.Getenv("PORTABLE_PLUGIN_NAME"); name != "" {
		return name
	}
	return "benchgo"
}

func echoSymbol() string {
	if name := os.Getenv("BENCH_ECHO_SYMBOL"); name != "" {
		return name
	}
	return "benchechogo"
}

func main() {
	if level, err := logrus.ParseLevel(os.Getenv("PORTABLE_LOG_LEVEL")); err == nil {
		sdkcontext.Log.SetLevel(level)
	}
	runtime.Start(os.Args, &runtime.PluginConfig{
		Name: pluginName(),
		Sources: map[string]runtime.NewSourceFunc{
			"benchsource": func() sdk.Source { return &benchSource{} },
		},
		Sinks: map[string]runtime.NewSinkFunc{
			"benchsink": func() sdk.Sink { return &benchSink{} },
		},
		Functions: map[string]runtime.NewFunctionFunc{
			echoSymbol(): func() sdk.Function { return benchEcho{} },
		},
	})
}
