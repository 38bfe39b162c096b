// Command go-host is a minimal plugin host in Go, on mangos v3, for the bench
// only: the reference point "a Go host on the same plugin" that the Exec
// scenario measures our TypeScript host against (bench/src/scenarios/exec-gohost.ts).
// It speaks version 1 exactly as a host does for one function symbol
// (host.go), then times sequential Exec calls on command.
//
//	go-host -exe <plugin binary> -name <plugin> -symbol <function> \
//	        -args '<JSON argument list>' [-rule R] [-op O]
//
// The plugin is spawned with the PortableConfig argument and the
// environment PORTABLE_PLUGIN_NAME=<plugin>, BENCH_ECHO_SYMBOL=<function>
// (bench/plugins/go reads both). Every line on stdout is one JSON object:
//
//	first:            {"ready":true,"startMs":M}   or {"ready":false,"error":"..."}, then exit 1
//	stdin "run N"  -> {"lat":[µs of each of N sequential Exec calls]}
//	on a failure   -> {"error":"..."}
//
// End of stdin (or "quit") stops the plugin and exits 0.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

var out = bufio.NewWriter(os.Stdout)

func emit(v map[string]interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":"unencodable result"}`)
	}
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
}

// run makes n sequential Exec calls and returns each one's latency in µs.
func run(h *host, n int, args []interface{}, ctx funcMeta) ([]float64, error) {
	lat := make([]float64, n)
	for i := 0; i < n; i++ {
		t := time.Now()
		if _, err := h.exec(args, ctx); err != nil {
			return nil, fmt.Errorf("call %d of %d: %w", i+1, n, err)
		}
		lat[i] = float64(time.Since(t).Nanoseconds()) / 1000
	}
	return lat, nil
}

func main() {
	var o options
	flag.StringVar(&o.exe, "exe", "", "the plugin executable (eKuiper Go SDK)")
	flag.StringVar(&o.name, "name", "", "the plugin's name (its control channel: /tmp/plugin_<name>.ipc)")
	flag.StringVar(&o.symbol, "symbol", "", "the function to start and call (/tmp/func_<symbol>.ipc)")
	argsJSON := flag.String("args", "[]", "the Exec argument list, a JSON array")
	rule := flag.String("rule", "benchrule", "ruleId of the function context")
	op := flag.String("op", "op1", "opId of the function context")
	initMs := flag.Int("init-timeout-ms", 10000, "handshake and start deadline")
	callMs := flag.Int("call-timeout-ms", 10000, "per round trip deadline of a call")
	flag.Parse()
	o.initTimeout = time.Duration(*initMs) * time.Millisecond
	o.callTimeout = time.Duration(*callMs) * time.Millisecond
	var args []interface{}
	if err := json.Unmarshal([]byte(*argsJSON), &args); err != nil || o.exe == "" || o.name == "" || o.symbol == "" {
		fmt.Fprintf(os.Stderr, "%v: go-host -exe PATH -name PLUGIN -symbol FUNCTION -args JSON_ARRAY (%v)\n", errUsage, err)
		os.Exit(64)
	}
	ctx := funcMeta{RuleID: *rule, OpID: *op}

	h, err := start(o)
	if err != nil {
		emit(map[string]interface{}{"ready": false, "error": err.Error()})
		os.Exit(1)
	}
	defer h.close()
	emit(map[string]interface{}{"ready": true, "startMs": float64(time.Since(h.started).Microseconds()) / 1000})

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 0:
		case f[0] == "quit":
			return
		case f[0] == "run" && len(f) == 2:
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 1 {
				emit(map[string]interface{}{"error": "run N: N must be a positive integer"})
				continue
			}
			lat, err := run(h, n, args, ctx)
			if err != nil {
				emit(map[string]interface{}{"error": err.Error()})
				continue
			}
			emit(map[string]interface{}{"lat": lat})
		default:
			emit(map[string]interface{}{"error": "unknown command " + strconv.Quote(in.Text())})
		}
	}
}
