package main

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The Go SDK answers each command with the bytes of "ok" or of an error text
// (runtime/plugin.go). These helpers reproduce the decoding steps it runs, so
// that error texts come from the same stdlib calls.

// sdkAnswer runs the SDK's command handling far enough to produce the answer
// for the given request, for the cases that do not depend on a plugin.
func sdkAnswer(req []byte, known map[string]bool, running map[string]bool) string {
	c := &Command{}
	if err := json.Unmarshal(req, c); err != nil {
		return err.Error()
	}
	ctrl := &Control{}
	if err := json.Unmarshal([]byte(c.Arg), ctrl); err != nil {
		return err.Error()
	}
	switch c.Cmd {
	case "start":
		if !known[ctrl.PluginType+"/"+ctrl.SymbolName] {
			return "symbol not found"
		}
		return "ok"
	case "stop":
		key := fmt.Sprintf("%s_%s_%d_%s", ctrl.Meta.RuleId, ctrl.Meta.OpId, ctrl.Meta.InstanceId, ctrl.SymbolName)
		if !running[key] {
			return fmt.Sprintf("symbol %s not found", key)
		}
		return "ok"
	default:
		return fmt.Sprintf("invalid command received: %s", c.Cmd)
	}
}

func encodeReply(state bool, arg interface{}) []byte {
	r, _ := json.Marshal(FuncReply{State: state, Result: arg})
	return r
}

// parseFuncContext reproduces the SDK's checks on the last Exec argument.
func parseFuncContext(args []interface{}) error {
	if len(args) < 1 {
		return fmt.Errorf("exec function context not found")
	}
	temp := args[len(args)-1]
	rawCtx, ok := temp.(string)
	if !ok {
		return fmt.Errorf("cannot parse function raw context %v", temp)
	}
	m := &FuncMeta{}
	if err := json.Unmarshal([]byte(rawCtx), m); err != nil {
		return fmt.Errorf("cannot parse function context %v", rawCtx)
	}
	if m.RuleId == "" || m.OpId == "" {
		return errors.New(fmt.Sprintf("invalid arg %v, ruleId, opId are required", m))
	}
	return nil
}

// funcRequestError is what the SDK replies to a function request it cannot
// decode: it passes the error value itself as the result.
func funcRequestError(req []byte) []byte {
	d := &FuncData{}
	err := json.Unmarshal(req, d)
	if err == nil {
		panic("expected a decode error")
	}
	return encodeReply(false, err)
}

func sdkVectors() map[string][]vcase {
	m := map[string][]vcase{}

	m["handshake"] = []vcase{
		mk("handshake", "The literal bytes the SDK's REQ socket sends first on the control channel and on each function channel (connection.go Run).", []byte("handshake"), obj{{"handshake", true}}, true),
	}

	// answers
	known := map[string]bool{"source/random": true, "sink/file": true, "func/echo": true}
	running := map[string]bool{"rule1_op1_0_random": true}
	ctrl := func(c Control) string { return string(marshal(c)) }
	req := func(cmd, arg string) []byte { return marshal(Command{Cmd: cmd, Arg: arg}) }
	srcStart := ctrl(Control{SymbolName: "random", Meta: &Meta{RuleId: "rule1", OpId: "op1"}, PluginType: "source"})
	answer := func(name, desc string, request []byte) vcase {
		a := sdkAnswer(request, known, running)
		var v obj
		if a == "ok" {
			v = obj{{"ok", true}}
		} else {
			v = obj{{"ok", false}, {"error", a}}
		}
		return mk(name, desc, []byte(a), v, true)
	}
	b64 := &Base64Command{}
	b64err := json.Unmarshal(req("start", srcStart), b64)
	m["answer"] = []vcase{
		answer("ok", "Success: exactly the two bytes ok.", req("start", srcStart)),
		answer("symbol-not-found", "Start of a symbol the plugin does not define (also what an unknown pluginType gets: the 'invalid plugin type' branch is unreachable).",
			req("start", ctrl(Control{SymbolName: "nosuch", Meta: &Meta{RuleId: "rule1", OpId: "op1"}, PluginType: "source"}))),
		answer("stop-unknown-key", "Stop of a source/sink that is not running: the text names the registry key <ruleId>_<opId>_<instanceId>_<symbol>.",
			req("stop", ctrl(Control{SymbolName: "random", Meta: &Meta{RuleId: "rule9", OpId: "op1", InstanceId: 3}, PluginType: "source"}))),
		answer("stop-function-key", "A stop for a function uses the same key format, with the empty meta the host sends: __0_<symbol>.",
			req("stop", ctrl(Control{SymbolName: "echo", Meta: &Meta{}, PluginType: "func"}))),
		answer("invalid-command", "An unknown cmd (after arg decoded fine).", req("restart", srcStart)),
		answer("command-not-json", "The request is not JSON: the encoding/json error text is the answer.", []byte("{\"cmd\":\"start\"")),
		answer("arg-not-json", "arg is a string but not JSON.", req("start", "oops")),
		answer("arg-empty", "arg is the empty string.", req("start", "")),
		answer("arg-type-mismatch", "A field of the wrong type; encoding/json names the Go struct and field (wording as of go1.26; older Go versions word it differently).",
			req("start", `{"symbolName":1,"pluginType":"source"}`)),
		mk("legacy-base64-arg", "Go SDK builds from 2021 declared arg as []byte (base64 on the wire) and answered a string arg with this encoding/json error.",
			[]byte(b64err.Error()), obj{{"ok", false}, {"error", b64err.Error()}}, true),
	}

	// source envelopes
	msg := map[string]interface{}{"temperature": 23.5, "humidity": 76, "city": "Zürich <north> & co"}
	meta := map[string]interface{}{"topic": "sensors/1", "qos": 1}
	tuple := func(mess, mt map[string]interface{}) []byte { return marshal(&DefaultSourceTuple{Mess: mess, M: mt}) }
	srcErr := func(e error) []byte {
		b, err := json.Marshal(fmt.Sprintf("{\"error\":\"%v\"}", e))
		must(err)
		return b
	}
	badErr := errors.New(`open "/data/in.csv": no such file`)
	m["source-envelope"] = []vcase{
		mk("data-with-meta", "json.Marshal(&DefaultSourceTuple{message, meta}): fixed key order message, meta; map keys sorted; HTML escaped.", tuple(msg, meta),
			obj{{"type", "data"}, {"message", msg}, {"meta", meta}}, true),
		mk("data-meta-null", "A tuple built without meta marshals meta as null (nil map).", tuple(msg, nil),
			obj{{"type", "data"}, {"message", msg}, {"meta", nil}}, true),
		mk("data-empty-meta", "An empty (non-nil) meta map marshals as {}.", tuple(map[string]interface{}{"v": 1}, map[string]interface{}{}),
			obj{{"type", "data"}, {"message", map[string]interface{}{"v": 1}}, {"meta", map[string]interface{}{}}}, true),
		mk("data-nested-values", "Nested objects and arrays, null, booleans, numbers as the source put them in the map.",
			tuple(map[string]interface{}{"a": []interface{}{1, 2.5, nil, true}, "b": map[string]interface{}{"y": "é", "x": 1e-7}}, nil),
			obj{{"type", "data"}, {"message", map[string]interface{}{"a": []interface{}{1, 2.5, nil, true}, "b": map[string]interface{}{"y": "é", "x": 1e-7}}}, {"meta", nil}}, true),
		mk("error-as-string", "A source error: the SDK formats {\"error\":\"<err>\"} with %v and then json.Marshals that STRING, so the message is a JSON string holding the object text.",
			srcErr(errors.New("connection refused")), obj{{"type", "error"}, {"error", "connection refused"}}, false, "error-as-string"),
		mk("error-as-string-html", "The same, with HTML characters: escaped once, inside the string.",
			srcErr(errors.New("bad <tag> & more")), obj{{"type", "error"}, {"error", "bad <tag> & more"}}, false, "error-as-string"),
		mk("error-as-string-unparsable", "The error text is inserted without escaping, so an error containing a double quote yields a string that is not valid JSON once unwrapped. value.error is the whole unwrapped string, as a decoder can only fall back to it.",
			srcErr(badErr), obj{{"type", "error"}, {"error", fmt.Sprintf("{\"error\":\"%v\"}", badErr)}}, false, "error-as-string", "error-string-unparsable"),
	}

	// function replies
	reply := func(name, desc string, state bool, result interface{}, warnings ...string) vcase {
		return mk(name, desc, encodeReply(state, result), obj{{"state", state}, {"result", result}}, true, warnings...)
	}
	ctxErr := func(args []interface{}) string { return parseFuncContext(args).Error() }
	badReq := []byte(`{"func":"Exec","arg":[1,`)
	badReqReply := funcRequestError(badReq)
	var badReqResult interface{}
	must(json.Unmarshal(badReqReply, &struct {
		Result *interface{} `json:"result"`
	}{&badReqResult}))
	typeReqReply := funcRequestError([]byte(`{"func":1}`))
	var typeReqResult interface{}
	must(json.Unmarshal(typeReqReply, &struct {
		Result *interface{} `json:"result"`
	}{&typeReqResult}))
	m["func-reply"] = []vcase{
		reply("validate-ok", "Validate success: state true with an empty string result.", true, ""),
		reply("validate-failed", "Validate failure: state false, the function's error text as result (example text).", false, "echo function only supports 1 parameter but got 2"),
		reply("args-not-a-list", "Validate or Exec whose arg is not a JSON array (null included).", false, "argument is not interface array"),
		reply("exec-string", "Exec result, a string (the debug server's echo of \"twelve\").", true, "twelve"),
		reply("exec-number", "Exec result, a number.", true, 832040),
		reply("exec-float", "Exec result, a float.", true, 0.1),
		reply("exec-object", "Exec result, an object: keys sorted, HTML escaped.", true, map[string]interface{}{"z": 1, "a": "<x>", "m": []interface{}{"é"}}),
		reply("exec-array", "Exec result, an array.", true, []interface{}{1, "two", nil}),
		reply("exec-null", "Exec result nil with success.", true, nil),
		reply("exec-bool", "Exec result, a boolean.", true, false),
		reply("exec-failed-with-string", "A function returning (text, false): the text is the result.", false, "divide by zero"),
		reply("exec-failed-with-error-value", "A function returning (err, false) with an errors.New value: json.Marshal of an error with no exported fields gives {}, so the message is lost; the host turns this into the error text map[].", false, errors.New("divide by zero")),
		reply("exec-context-missing", "Exec with an empty argument list.", false, ctxErr([]interface{}{})),
		reply("exec-context-not-string", "Exec whose last argument is not a string (%v formatting).", false, ctxErr([]interface{}{"a", 5.0})),
		reply("exec-context-not-json", "Exec whose last argument is a string but not JSON.", false, ctxErr([]interface{}{"a", "ctx?"})),
		reply("exec-context-empty-ids", "Exec whose context has empty ruleId/opId: %v of the *FuncMeta.", false, ctxErr([]interface{}{"a", `{"ruleId":"","opId":"","instanceId":0,"funcId":0}`})),
		reply("is-aggregate-false", "IsAggregate: state true, result the boolean.", true, false),
		reply("is-aggregate-true", "IsAggregate of an aggregate function.", true, true),
		reply("unknown-func", "A func name other than Validate, Exec, IsAggregate.", false, fmt.Sprintf("invalid func %s", "Reset")),
		mk("request-not-json", "The request could not be decoded: the SDK puts the error VALUE in result, and a *json.SyntaxError marshals as its only exported field, Offset.",
			badReqReply, obj{{"state", false}, {"result", badReqResult}}, true),
		mk("request-type-mismatch", "A request with a wrongly typed field: *json.UnmarshalTypeError marshals with its exported fields in struct order (Type is a reflect.Type and marshals as {}); a re-encoder that sees only the JSON value writes the keys sorted, so this does not re-encode.",
			typeReqReply, obj{{"state", false}, {"result", typeReqResult}}, false),
	}
	return m
}
