package main

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The Go SDK messages that the real SDK cannot be made to send here, so that
// protocol/tools/capture-go cannot capture them (every other go-sdk vector
// is captured there):
//   - source errors: the SDK json.Marshals the STRING {"error":"<err>"} and
//     queues it on its PUSH socket, then closes that socket at once, which
//     drops the queued message (measured with both pinned SDK versions: not
//     one delivered); decoders must still accept the bytes.
//   - the answer of the 2021 SDK builds, which declared Command.Arg as
//     []byte; those builds are not obtainable.

func sdkVectors() map[string][]vcase {
	m := map[string][]vcase{}

	srcStart := marshal(Control{SymbolName: "random", Meta: &Meta{RuleId: "rule1", OpId: "op1"}, PluginType: "source"})
	b64 := &Base64Command{}
	b64err := json.Unmarshal(marshal(Command{Cmd: "start", Arg: string(srcStart)}), b64)
	m["answer"] = []vcase{
		mk("legacy-base64-arg", "Go SDK builds from 2021 declared arg as []byte (base64 on the wire) and answered a string arg with this encoding/json error.",
			[]byte(b64err.Error()), obj{{"ok", false}, {"error", b64err.Error()}}, true),
	}

	srcErr := func(e error) []byte {
		b, err := json.Marshal(fmt.Sprintf("{\"error\":\"%v\"}", e))
		must(err)
		return b
	}
	badErr := errors.New(`open "/data/in.csv": no such file`)
	m["source-envelope"] = []vcase{
		mk("error-as-string", "A source error: the SDK formats {\"error\":\"<err>\"} with %v and then json.Marshals that STRING, so the message is a JSON string holding the object text. The real SDK closes its socket right after queueing it, so a host practically never receives it.",
			srcErr(errors.New("connection refused")), obj{{"type", "error"}, {"error", "connection refused"}}, false, "error-as-string"),
		mk("error-as-string-html", "The same, with HTML characters: escaped once, inside the string.",
			srcErr(errors.New("bad <tag> & more")), obj{{"type", "error"}, {"error", "bad <tag> & more"}}, false, "error-as-string"),
		mk("error-as-string-unparsable", "The error text is inserted without escaping, so an error containing a double quote yields a string that is not valid JSON once unwrapped. value.error is the whole unwrapped string, as a decoder can only fall back to it.",
			srcErr(badErr), obj{{"type", "error"}, {"error", fmt.Sprintf("{\"error\":\"%v\"}", badErr)}}, false, "error-as-string", "error-string-unparsable"),
	}
	return m
}
