// Command mirror is the `mirror` example plugin written with eKuiper's
// official Go SDK (github.com/lf-edge/ekuiper/sdk/go): source `random`,
// sink `file`, function `echo`. It is the Go counterpart of examples/mirror
// (our TypeScript SDK) and examples/python-mirror (eKuiper's Python SDK), and
// a real, unmodified-SDK peer for the host, interop, conformance and bench.
//
// The host starts it as `./mirror '<PortableConfig JSON>'`. The SDK dials the
// control channel ipc:///tmp/plugin_<name>.ipc, so the name must equal the
// manifest's file name (mirror.json). PORTABLE_PLUGIN_NAME runs a copy under
// another name, for tests that run several copies side by side.
package main

import (
	"os"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
	"github.com/lf-edge/ekuiper/sdk/go/runtime"
)

const defaultName = "mirror"

func pluginName() string {
	if name := os.Getenv("PORTABLE_PLUGIN_NAME"); name != "" {
		return name
	}
	return defaultName
}

func main() {
	runtime.Start(os.Args, &runtime.PluginConfig{
		Name: pluginName(),
		Sources: map[string]runtime.NewSourceFunc{
			"random": func() sdk.Source { return &randomSource{} },
		},
		Sinks: map[string]runtime.NewSinkFunc{
			"file": func() sdk.Sink { return &fileSink{} },
		},
		Functions: map[string]runtime.NewFunctionFunc{
			"echo": func() sdk.Function { return echoFunction{} },
		},
	})
}
