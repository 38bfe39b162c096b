// One capture session: starts the probe plugin built against one SDK
// version, drives it as a host and records every payload it sends.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"go.nanomsg.org/mangos/v3"
)

type captured struct {
	kind, name, desc string
	payload          []byte
}

type session struct {
	out   []captured
	notes []string
}

func (s *session) add(kind, name, desc string, payload []byte) {
	s.out = append(s.out, captured{kind, name, desc, payload})
	fmt.Printf("  %-16s %-36s %.100s\n", kind, name, payload)
}

func (s *session) note(format string, args ...interface{}) {
	text := fmt.Sprintf(format, args...)
	s.notes = append(s.notes, text)
	fmt.Println("  * " + text)
}

func dataURL(op string, inst int, suffix string) string {
	return fmt.Sprintf("ipc:///tmp/%s_%s_%d%s.ipc", rule, op, inst, suffix)
}

func srcCtl(op string, cfg map[string]interface{}) control {
	return control{SymbolName: "probe", Meta: &meta{RuleID: rule, OpID: op}, PluginType: "source", Config: cfg}
}

func fmeta() string {
	return string(marshal(struct {
		meta
		FuncID int `json:"funcId"`
	}{meta{rule, "fn", 0}, 1}))
}

func expectOK(what string, ans []byte) {
	if string(ans) != "ok" {
		panic(fmt.Sprintf("%s: answered %q", what, ans))
	}
}

func runSession(binary, logPath string) *session {
	s := &session{}
	p := startPlugin(binary, pluginName, logPath)
	defer p.kill()

	s.add("handshake", "handshake", "The first request on the control channel, sent as soon as the plugin has dialled it.", p.recv())

	// Source data: the probe emits the tuples the config lists.
	msg := map[string]interface{}{"temperature": 23.5, "humidity": 76, "city": "Zürich <north> & co"}
	tuples := []struct{ name, desc string }{
		{"data-with-meta", "A DefaultSourceTuple with message and meta: json.Marshal of the tuple, fields message then meta; map keys sorted; <, > and & escaped as \\u003c \\u003e \\u0026; other non-ASCII raw."},
		{"data-meta-null", "A tuple built with a nil meta map: meta is sent as null."},
		{"data-empty-meta", "An empty (non-nil) meta map is sent as {}."},
		{"data-nested-values", "Nested objects and arrays, null, booleans and numbers in the message."},
	}
	emit := []interface{}{
		map[string]interface{}{"message": msg, "meta": map[string]interface{}{"topic": "sensors/1", "qos": 1}},
		map[string]interface{}{"message": msg, "meta": nil},
		map[string]interface{}{"message": map[string]interface{}{"v": 1}, "meta": map[string]interface{}{}},
		map[string]interface{}{"message": map[string]interface{}{"a": []interface{}{1, 2.5, nil, true}, "b": map[string]interface{}{"y": "é", "x": 1e-7}}, "meta": nil},
	}
	src := listenPull(dataURL("src", 0, ""))
	s.add("answer", "ok", "Success: exactly the two bytes ok (here: the start of a source).", p.command("start", srcCtl("src", map[string]interface{}{"emit": emit})))
	for _, t := range tuples {
		b, err := src.Recv()
		must(err)
		s.add("source-envelope", t.name, t.desc, b)
	}
	expectOK("stop of a running source", p.command("stop", srcCtl("src", nil)))
	_ = src.Close()

	// Source errors: the SDK queues the error (a JSON string, see
	// go-vectors) and closes the PUSH socket at once, which drops it: the
	// host never gets it. Watch for it anyway, and capture the stop answer.
	errSrc := listenPull(dataURL("err", 0, ""))
	must(errSrc.SetOption(mangos.OptionRecvDeadline, 1000*time.Millisecond))
	expectOK("start of an erring source", p.command("start", srcCtl("err", map[string]interface{}{"error": "connection refused"})))
	if b, err := errSrc.Recv(); err == nil {
		s.note("source error envelope ARRIVED: %q", b)
	} else {
		s.note("source error envelope not delivered within 1 s (%v)", err)
	}
	_ = errSrc.Close()
	s.add("answer", "stop-after-source-error", "Stop of a source that reported an error: the SDK removed it from its registry when it stopped the source, so the stop answers that the key is not found.",
		p.command("stop", srcCtl("err", nil)))

	// Answers.
	s.add("answer", "symbol-not-found", "Start of a symbol the plugin does not define.",
		p.command("start", control{SymbolName: "nosuch", Meta: &meta{RuleID: "rule1", OpID: "op1"}, PluginType: "source"}))
	s.add("answer", "start-unknown-plugin-type", "Start with a pluginType other than source/sink/func: the symbol lookup fails first, so the answer is the same as for an unknown symbol (the SDK's 'invalid plugin type' branch is unreachable).",
		p.command("start", control{SymbolName: "probe", Meta: &meta{RuleID: "rule1", OpID: "op1"}, PluginType: "bogus"}))
	s.add("answer", "stop-unknown-key", "Stop of a source/sink that is not running: the text names the registry key <ruleId>_<opId>_<instanceId>_<symbol>.",
		p.command("stop", control{SymbolName: "random", Meta: &meta{RuleID: "rule9", OpID: "op1", InstanceID: 3}, PluginType: "source"}))
	s.add("answer", "stop-function-key", "A stop for a function uses the same key format, with the empty meta the host sends: __0_<symbol> (functions are registered under another key, so this is never found).",
		p.command("stop", control{SymbolName: "echo", Meta: &meta{}, PluginType: "func"}))
	srcStart := string(marshal(control{SymbolName: "random", Meta: &meta{RuleID: "rule1", OpID: "op1"}, PluginType: "source"}))
	s.add("answer", "invalid-command", "An unknown cmd (after arg decoded fine).", p.send(marshal(command{"restart", srcStart})))
	s.add("answer", "command-not-json", "The request is not JSON: the encoding/json error text is the answer.", p.send([]byte(`{"cmd":"start"`)))
	s.add("answer", "arg-not-json", "arg is a string but not JSON.", p.send(marshal(command{"start", "oops"})))
	s.add("answer", "arg-empty", "arg is the empty string.", p.send(marshal(command{"start", ""})))
	s.add("answer", "arg-type-mismatch", "A field of the wrong type: encoding/json names the Go struct and field (wording of the Go version the plugin was built with).",
		p.send(marshal(command{"start", `{"symbolName":1,"pluginType":"source"}`})))
	inst := listenPull(dataURL("inst", 1, ""))
	s.add("answer", "start-source-instance-1", "Start of a source as instance 1 while the host listens on instance 1's socket: the SDK always dials instance 0's path, and answers the dial error.",
		p.command("start", control{SymbolName: "probe", Meta: &meta{RuleID: rule, OpID: "inst", InstanceID: 1}, PluginType: "source"}))
	_ = inst.Close()
	sinkNoAck := control{SymbolName: "probe", Meta: &meta{RuleID: rule, OpID: "sinknoack"}, PluginType: "sink"}
	ans := p.command("start", sinkNoAck)
	s.add("answer", "start-sink-without-ack-listener", "Sink start while the host does not listen on the sink's ack channel: the newest SDK dials it and answers the dial error; the 2023 SDK never touches it and answers ok.", ans)
	if string(ans) == "ok" {
		expectOK("stop of the sink", p.command("stop", sinkNoAck))
	}
	ackLate := listenPull(dataURL("sinknoack", 0, "_ack"))
	ans = p.command("start", sinkNoAck)
	s.add("answer", "start-sink-again-after-failed-start", "The same sink started again, now with the host listening on the ack channel. The newest SDK's failed start left its data socket listening, so this start cannot listen there and answers that error after its listen retries; the 2023 SDK answers ok.", ans)
	if string(ans) == "ok" {
		expectOK("stop of the sink", p.command("stop", sinkNoAck))
	}
	_ = ackLate.Close()

	// Sink: rows in, and whether any ack comes back.
	ack := listenPull(dataURL("sink", 0, "_ack"))
	must(ack.SetOption(mangos.OptionRecvDeadline, 1500*time.Millisecond))
	sinkCtl := control{SymbolName: "probe", Meta: &meta{RuleID: rule, OpID: "sink"}, PluginType: "sink", Config: map[string]interface{}{"requireAck": true}}
	expectOK("start of a sink", p.command("start", sinkCtl))
	push := dialPush(dataURL("sink", 0, ""))
	must(push.Send([]byte(`[{"a":1}]`)))
	if b, err := ack.Recv(); err == nil {
		s.note("sink ack received: %q", b)
	} else {
		s.note("no sink ack within 1.5 s of a row (requireAck true): %v", err)
	}
	_ = push.Close()
	expectOK("stop of the sink", p.command("stop", sinkCtl))
	_ = ack.Close()

	// Functions.
	fn := listenFunc("vececho")
	expectOK("start of vececho", p.command("start", control{SymbolName: "vececho", Meta: &meta{}, PluginType: "func"}))
	s.add("handshake", "function-handshake", "The first request on a function channel, sent as soon as the plugin has dialled it.", fn.recv())
	ctx := fmeta()
	calls := []struct {
		name, desc, fn string
		arg            interface{}
	}{
		{"validate-ok", "Validate success: state true with an empty string result.", "Validate", []interface{}{1}},
		{"validate-failed", "Validate failure: state false, the function's error text as result (the probe's text).", "Validate", []interface{}{1, 2}},
		{"args-not-a-list", "Validate or Exec whose arg is not a JSON array (here null).", "Validate", nil},
		{"exec-string", "Exec result, a string (echo of \"twelve\").", "Exec", []interface{}{"twelve", ctx}},
		{"exec-number", "Exec result, a number.", "Exec", []interface{}{832040, ctx}},
		{"exec-float", "Exec result, a float.", "Exec", []interface{}{0.1, ctx}},
		{"exec-object", "Exec result, an object: keys sorted, HTML escaped.", "Exec", []interface{}{map[string]interface{}{"z": 1, "a": "<x>", "m": []interface{}{"é"}}, ctx}},
		{"exec-array", "Exec result, an array.", "Exec", []interface{}{[]interface{}{1, "two", nil}, ctx}},
		{"exec-null", "Exec result nil with success.", "Exec", []interface{}{nil, ctx}},
		{"exec-bool", "Exec result, a boolean.", "Exec", []interface{}{false, ctx}},
		{"exec-failed-with-string", "A function returning (text, false): the text is the result.", "Exec", []interface{}{map[string]interface{}{"fail": "divide by zero"}, ctx}},
		{"exec-failed-with-error-value", "A function returning (err, false) with an errors.New value: json.Marshal of an error with no exported fields gives {}, so the message is lost.", "Exec", []interface{}{map[string]interface{}{"failError": "divide by zero"}, ctx}},
		{"exec-context-missing", "Exec with an empty argument list.", "Exec", []interface{}{}},
		{"exec-context-not-string", "Exec whose last argument is not a string (%v formatting).", "Exec", []interface{}{"a", 5}},
		{"exec-context-not-json", "Exec whose last argument is a string but not JSON.", "Exec", []interface{}{"a", "ctx?"}},
		{"exec-context-empty-ids", "Exec whose context has empty ruleId/opId: %v of the *FuncMeta.", "Exec", []interface{}{"a", `{"ruleId":"","opId":"","instanceId":0,"funcId":0}`}},
		{"is-aggregate-false", "IsAggregate: state true, result the boolean.", "IsAggregate", nil},
		{"unknown-func", "A func name other than Validate, Exec, IsAggregate.", "Reset", []interface{}{}},
	}
	for _, c := range calls {
		s.add("func-reply", c.name, c.desc, fn.call(c.fn, c.arg))
	}
	s.add("func-reply", "request-not-json", "The request could not be decoded: the SDK puts the error VALUE in result, and a *json.SyntaxError marshals as its only exported field, Offset.", fn.send([]byte(`{"func":"Exec","arg":[1,`)))
	s.add("func-reply", "request-type-mismatch", "A request with a wrongly typed field: *json.UnmarshalTypeError marshals with its exported fields in struct order (Type is a reflect.Type and marshals as {}); a re-encoder that sees only the JSON value writes the keys sorted, so this does not re-encode.", fn.send([]byte(`{"func":1}`)))

	agg := listenFunc("vecagg")
	expectOK("start of vecagg", p.command("start", control{SymbolName: "vecagg", Meta: &meta{}, PluginType: "func"}))
	agg.recv()
	s.add("func-reply", "is-aggregate-true", "IsAggregate of an aggregate function.", agg.call("IsAggregate", nil))
	_ = agg.s.Close()

	// Keepalive: nothing more is sent on vececho's channel.
	must(fn.s.SetOption(mangos.OptionRecvDeadline, 6500*time.Millisecond))
	t0 := time.Now()
	if b, err := fn.s.Recv(); err == nil {
		s.add("handshake", "function-keepalive", "Re-sent on a function channel after 5 s without a call (the REQ socket's receive deadline): the same bytes as the first handshake.", b)
		s.note("function channel idle: %q after %.1f s", b, time.Since(t0).Seconds())
	} else {
		s.note("function channel idle: nothing within 6.5 s (%v)", err)
	}
	if os.Getenv("CAPTURE_SLOW") == "1" {
		s.watchResends(p, fn)
	}
	_ = fn.s.Close()

	if !p.alive() {
		panic("the plugin died during the session; log: " + p.log.Name())
	}
	if strings.Contains(readFile(logPath), "panic") {
		s.note("the plugin log mentions a panic")
	}
	return s
}

// watchResends waits 70 s without sending anything and reports what the
// plugin sends again on the control channel (its last answer is
// outstanding) and on vececho's function channel (its last request is). A
// REQ socket re-sends an unanswered request after its resend time.
func (s *session) watchResends(p *plugin, fn *funcChannel) {
	type seen struct {
		what string
		msgs []string
	}
	watch := func(what string, sock mangos.Socket, done chan<- seen) {
		t0 := time.Now()
		r := seen{what: what}
		deadline := t0.Add(70 * time.Second)
		for time.Now().Before(deadline) {
			must(sock.SetOption(mangos.OptionRecvDeadline, time.Until(deadline)))
			b, err := sock.Recv()
			if err != nil {
				break
			}
			r.msgs = append(r.msgs, fmt.Sprintf("%q after %.1f s", b, time.Since(t0).Seconds()))
		}
		done <- r
	}
	done := make(chan seen, 2)
	go watch("control channel", p.ctl, done)
	go watch("function channel", fn.s, done)
	for i := 0; i < 2; i++ {
		r := <-done
		s.note("%s idle for 70 s: %d message(s): %s", r.what, len(r.msgs), strings.Join(r.msgs, ", "))
	}
}
