// Command govectors writes the reproduced test vectors of the portable-plugin
// protocol: the bytes the eKuiper host produces, and the few the eKuiper Go
// SDK cannot be made to send (the rest are captured by ../capture-go),
// reproduced with Go's encoding/json and the reference struct shapes.
//
// Run from this folder: go run .
// Output: ../../vectors/go-host/<kind>.json and ../../vectors/go-sdk/<kind>.reproduced.json
// The output is deterministic (no time, no randomness, sorted map keys).
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// kv and obj build JSON objects whose key order we choose, for the `value`
// of a case (the decoded form), so that files read naturally.
type kv struct {
	K string
	V interface{}
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(plain(p.K))
		b.WriteByte(':')
		b.Write(plain(p.V))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type vcase struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Hex         string          `json:"hex"`
	Text        string          `json:"text"`
	Value       json.RawMessage `json:"value"`
	Reencode    bool            `json:"reencode"`
	Warnings    []string        `json:"warnings"`
}

type vfile struct {
	Kind       string  `json:"kind"`
	Producer   string  `json:"producer"`
	Provenance string  `json:"provenance"`
	How        string  `json:"how"`
	Cases      []vcase `json:"cases"`
}

// mk makes a case from the payload bytes and the decoded value.
func mk(name, desc string, payload []byte, value interface{}, reencode bool, warnings ...string) vcase {
	v := plain(value)
	if warnings == nil {
		warnings = []string{}
	}
	return vcase{
		Name:        name,
		Description: desc,
		Hex:         hex.EncodeToString(payload),
		Text:        string(payload),
		Value:       v,
		Reencode:    reencode,
		Warnings:    warnings,
	}
}

// marshal is the reference encoder: plain json.Marshal (HTML escaping on,
// map keys sorted, struct fields in declaration order, no trailing newline).
func marshal(v interface{}) []byte {
	b, err := json.Marshal(v)
	must(err)
	return b
}

// plain encodes without HTML escaping, for the readable `value` fields.
func plain(v interface{}) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	must(enc.Encode(v))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// raw turns payload bytes that are themselves the decoded form into a value.
func raw(b []byte) json.RawMessage { return json.RawMessage(b) }

func must(err error) {
	if err != nil {
		panic(err)
	}
}

const sources = "Struct shapes (field names, JSON tags, Go types) and the way each message " +
	"is built were read from the lf-edge/ekuiper sources: host internal/plugin/portable/runtime/" +
	"{shared.go,plugin_ins_manager.go,connection.go,function.go,source.go,sink.go}, " +
	"internal/plugin/portable/{manager.go,model.go,registry.go}, internal/server/portable_init.go, " +
	"tools/plugin_server (debug server); Go SDK sdk/go/runtime/{plugin.go,function.go,source.go," +
	"sink.go,symbol.go,shared.go}, sdk/go/api/api.go, sdk/go/connection/connection.go. " +
	"File paths and commits per message are listed in protocol/tools/go-vectors/FACTS.md."

const howHost = "Reproduced, not captured: the eKuiper host module (github.com/lf-edge/ekuiper) " +
	"and go.nanomsg.org/mangos/v3 are refused by the Go module proxy here, so the host cannot be " +
	"built or run. protocol/tools/go-vectors (stdlib only; `cd protocol/tools/go-vectors && go run .`) " +
	"declares the same struct shapes and builds each message the way the host code path does, " +
	"then encodes it with Go's encoding/json (go1.26), which is the encoder the host uses. " + sources

const howSDK = "Reproduced, not captured: the only go-sdk messages the real Go SDK cannot be made " +
	"to send here (every other go-sdk vector is captured from it by protocol/tools/capture-go, in " +
	"go-sdk/<kind>.json). Source errors: the SDK queues the error on its PUSH socket and closes the " +
	"socket at once, which drops it (none delivered with either pinned SDK version). The 2021 SDK " +
	"builds (Command.arg as []byte) are not obtainable. protocol/tools/go-vectors (stdlib only; " +
	"`cd protocol/tools/go-vectors && go run .`) declares the same struct shapes and builds each message " +
	"the way the SDK code path does, then encodes it with Go's encoding/json (go1.26), the encoder the " +
	"SDK uses. " + sources

func writeFile(dir, suffix, kind, producer, how string, cases []vcase) {
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			panic("duplicate case name " + kind + "/" + c.Name)
		}
		seen[c.Name] = true
	}
	f := vfile{Kind: kind, Producer: producer, Provenance: "reproduced", How: how, Cases: cases}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(enc.Encode(f))
	p := filepath.Join(dir, kind+suffix+".json")
	must(os.WriteFile(p, b.Bytes(), 0o644))
	fmt.Printf("%-40s %2d cases\n", p, len(cases))
}

func main() {
	out := filepath.Join("..", "..", "vectors")
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	hostDir := filepath.Join(out, "go-host")
	sdkDir := filepath.Join(out, "go-sdk")
	must(os.MkdirAll(hostDir, 0o755))
	must(os.MkdirAll(sdkDir, 0o755))

	write := func(dir, suffix, producer, how string, m map[string][]vcase) {
		kinds := make([]string, 0, len(m))
		for k := range m {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			writeFile(dir, suffix, k, producer, how, m[k])
		}
	}
	write(hostDir, "", "go-host", howHost, hostVectors())
	write(sdkDir, ".reproduced", "go-sdk", howSDK, sdkVectors())
}
