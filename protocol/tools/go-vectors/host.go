package main

import (
	"math"
)

// Values the host puts into Control.config come from the rule's action
// properties (parsed from JSON: every number is a float64) or from the
// source's YAML configuration (integers stay ints). Both are reproduced.

func sourceConfig() map[string]interface{} {
	// as read from sources/random.yaml: YAML integers are Go ints
	return map[string]interface{}{
		"interval":    1000,
		"pattern":     map[string]interface{}{"count": 50},
		"deduplicate": 0,
	}
}

func sinkConfigNumbers() map[string]interface{} {
	// as parsed from a rule's JSON actions: numbers are float64
	return map[string]interface{}{
		"requireAck":  true,
		"path":        "/tmp/out.txt",
		"interval":    float64(500),
		"ratio":       0.25,
		"huge":        1e21,
		"tiny":        1e-7,
		"small":       0.000001,
		"negative":    -12.5,
		"bigint":      float64(123456789012345678),
		"nothing":     nil,
		"list":        []interface{}{float64(1), "two", false, nil},
		"nested":      map[string]interface{}{"b": map[string]interface{}{"c": float64(3)}, "a": []interface{}{}},
		"emptyObject": map[string]interface{}{},
	}
}

func sinkConfigText() map[string]interface{} {
	return map[string]interface{}{
		"html":      "<b>a & b</b>",
		"unicode":   "température 温度 🌡",
		"separator": "line\u2028para\u2029end",
		"quotes":    "say \"hi\"\\now",
		"control":   "tab\tnewline\nnul\x00bell\x07",
	}
}

func controlValue(c HostControl) obj {
	o := obj{{"symbolName", c.SymbolName}, {"meta", c.Meta}, {"pluginType", c.PluginType}}
	if c.DataSource != "" {
		o = append(o, kv{"dataSource", c.DataSource})
	}
	if len(c.Config) > 0 {
		o = append(o, kv{"config", c.Config})
	}
	return o
}

func legacyControlValue(c Control) obj {
	o := obj{{"symbolName", c.SymbolName}}
	if c.Meta != nil {
		o = append(o, kv{"meta", *c.Meta})
	}
	o = append(o, kv{"pluginType", c.PluginType})
	if c.DataSource != "" {
		o = append(o, kv{"dataSource", c.DataSource})
	}
	if len(c.Config) > 0 {
		o = append(o, kv{"config", c.Config})
	}
	return o
}

type namedControl struct {
	name, desc string
	bytes      []byte
	value      obj
}

func hostControls() []namedControl {
	var out []namedControl
	add := func(name, desc string, c HostControl) {
		out = append(out, namedControl{name, desc, marshal(c), controlValue(c)})
	}
	add("source-with-datasource-and-config",
		"Source start/stop control as the host builds it (source.go): meta from the rule context, dataSource from the stream's DATASOURCE, config from the source YAML (integers).",
		HostControl{SymbolName: "random", Meta: Meta{RuleId: "rule1", OpId: "op1", InstanceId: 0}, PluginType: "source", DataSource: "topic/temperature", Config: sourceConfig()})
	add("source-without-datasource-or-config",
		"Empty dataSource and a nil or empty config map are both left out (omitempty); meta is always present.",
		HostControl{SymbolName: "random", Meta: Meta{RuleId: "rule1", OpId: "2_decoder", InstanceId: 2}, PluginType: "source"})
	add("sink-with-config-numbers",
		"Sink control (sink.go): config is the rule action's properties, parsed from JSON, so every number is a float64: 1e21 prints as 1e+21, 1e-7 as 1e-7, 0.000001 stays decimal, 123456789012345678 was already rounded to 123456789012345680 by float64. Keys are sorted. requireAck is inside config.",
		HostControl{SymbolName: "file", Meta: Meta{RuleId: "rule1", OpId: "file_0", InstanceId: 0}, PluginType: "sink", Config: sinkConfigNumbers()})
	add("sink-with-config-text",
		"Strings through encoding/json: < > & become \\u003c \\u003e \\u0026, U+2028/U+2029 become \\u2028/\\u2029, other non-ASCII stays raw UTF-8, control characters use \\t \\n or \\u00XX.",
		HostControl{SymbolName: "file", Meta: Meta{RuleId: "rüle<1>", OpId: "file_0", InstanceId: 1}, PluginType: "sink", Config: sinkConfigText()})
	add("func-empty-meta",
		"Function start control (function.go): the host sets only symbolName and pluginType; meta is a struct value, so it is sent with empty strings and 0.",
		HostControl{SymbolName: "echo", PluginType: "func"})
	add("sink-negative-zero",
		"A float64 negative zero in config prints as -0 (Go keeps the sign; JavaScript's JSON.stringify prints 0).",
		HostControl{SymbolName: "file", Meta: Meta{RuleId: "rule1", OpId: "file_0", InstanceId: 0}, PluginType: "sink", Config: map[string]interface{}{"offset": math.Copysign(0, -1)}})
	return out
}

func legacyControls() []namedControl {
	c := Control{SymbolName: "echo", PluginType: "func"}
	return []namedControl{{
		"func-legacy-no-meta",
		"eKuiper 1.x hosts declared meta as *Meta with omitempty (runtime/shared.go at 048f995) and built function controls without meta, so the key is absent.",
		marshal(c), legacyControlValue(c),
	}}
}

func hostVectors() map[string][]vcase {
	m := map[string][]vcase{}

	// portable-config
	pc := PortableConfig{SendTimeout: 1000}
	m["portable-config"] = []vcase{
		mk("default", "The only value the host ever sends (plugin_ins_manager.go: PortbleConf), as the plugin's single command-line argument.", marshal(pc), obj{{"sendTimeout", 1000}}, true),
	}

	// control and command
	controls := append(hostControls(), legacyControls()...)
	for _, c := range controls {
		m["control"] = append(m["control"], mk(c.name, c.desc+" Also a valid body for the debug server's /symbol/start and /symbol/stop.", c.bytes, c.value, true))
	}
	for _, c := range controls {
		cmd := Command{Cmd: "start", Arg: string(c.bytes)}
		m["command"] = append(m["command"], mk("start-"+c.name,
			"Command = json.Marshal(Command{cmd, string(json.Marshal(control))}): the control is a JSON string, so its quotes are escaped and its own \\u escapes get their backslash escaped again. "+c.desc,
			marshal(cmd), obj{{"cmd", "start"}, {"arg", c.value}}, true))
	}
	for _, c := range controls[:4] {
		cmd := Command{Cmd: "stop", Arg: string(c.bytes)}
		m["command"] = append(m["command"], mk("stop-"+c.name,
			"Stop carries the same control as the start. The host never sends stop for a function symbol. "+c.desc,
			marshal(cmd), obj{{"cmd", "stop"}, {"arg", c.value}}, true))
	}

	// func-meta and func-call
	type fm struct {
		name, desc string
		m          FuncMeta
	}
	metas := []fm{
		{"debug-server", "Context of the debug server's function calls: rule1/op1, instance 1, funcId 1.", FuncMeta{Meta: Meta{RuleId: "rule1", OpId: "op1", InstanceId: 1}, FuncId: 1}},
		{"unicode-html-rule", "encoding/json escapes < > & in the rule id; the whole object later becomes a string inside the call.", FuncMeta{Meta: Meta{RuleId: "规则<1>&", OpId: "project", InstanceId: 0}, FuncId: 3}},
	}
	fmValue := func(x FuncMeta) obj {
		return obj{{"ruleId", x.RuleId}, {"opId", x.OpId}, {"instanceId", x.InstanceId}, {"funcId", x.FuncId}}
	}
	for _, x := range metas {
		m["func-meta"] = append(m["func-meta"], mk(x.name, "FuncMeta (embedded Meta, then funcId) as the host encodes it (function.go encodeCtx). "+x.desc, marshal(x.m), fmValue(x.m), true))
	}
	ctxStr := string(marshal(metas[0].m))
	call := func(name, desc, fn string, arg interface{}, value obj) {
		m["func-call"] = append(m["func-call"], mk(name, desc, marshal(FuncData{Func: fn, Arg: arg}), value, true))
	}
	call("validate-args", "Validate: arg is the argument list, without context.",
		"Validate", []interface{}{"a", int64(1)}, obj{{"func", "Validate"}, {"args", []interface{}{"a", 1}}})
	call("exec-debug-server", "The debug server's call: Exec with one string argument; the last element is the FuncMeta JSON as a string.",
		"Exec", []interface{}{"twelve", ctxStr}, obj{{"func", "Exec"}, {"args", []interface{}{"twelve"}}, {"context", fmValue(metas[0].m)}})
	mixed := []interface{}{int64(42), 3.5, "<a&b> é", true, nil, map[string]interface{}{"k": []interface{}{int64(1), int64(2)}, "a": "x"}, []interface{}{"x", 1e21}}
	call("exec-mixed-types", "Arguments of every JSON type; Go ints print exactly, floats shortest, map keys sorted, HTML characters escaped.",
		"Exec", append(append([]interface{}{}, mixed...), ctxStr), obj{{"func", "Exec"}, {"args", mixed}, {"context", fmValue(metas[0].m)}})
	call("exec-no-args", "A call without arguments: append(nil, ctx) leaves just the context.",
		"Exec", []interface{}{ctxStr}, obj{{"func", "Exec"}, {"args", []interface{}{}}, {"context", fmValue(metas[0].m)}})
	agg := []interface{}{[]interface{}{int64(1), int64(2), int64(3)}, []interface{}{"a", "b", "c"}}
	call("exec-aggregate", "An aggregate function gets one list per parameter.",
		"Exec", append(append([]interface{}{}, agg...), ctxStr), obj{{"func", "Exec"}, {"args", agg}, {"context", fmValue(metas[0].m)}})
	ctx2 := string(marshal(metas[1].m))
	call("exec-escaped-context", "The context string's own \\u003c escapes get their backslash escaped again inside the call.",
		"Exec", []interface{}{"x", ctx2}, obj{{"func", "Exec"}, {"args", []interface{}{"x"}}, {"context", fmValue(metas[1].m)}})
	call("is-aggregate", "IsAggregate: encode(\"IsAggregate\", nil), so arg is JSON null. Asked once; the answer is cached.",
		"IsAggregate", nil, obj{{"func", "IsAggregate"}})

	// sink-data
	row1 := map[string]interface{}{"name": "hello", "count": 5}
	row2 := map[string]interface{}{"name": "world", "count": 10}
	rowText := map[string]interface{}{"msg": "<ok> & \"done\"", "temp": 23.5, "city": "Zürich", "tags": []interface{}{"a"}, "none": nil}
	m["sink-data"] = []vcase{
		mk("single-row", "One row as an object: what the debug server sends (json.Marshal of each mock row) and what a rule sends with sendSingle: true.", marshal(row1), row1, true),
		mk("rows-array", "A collection (window result, or any result with sendSingle false, the default) is encoded as one JSON array per message.", marshal([]interface{}{row1, row2}), []interface{}{row1, row2}, true),
		mk("one-row-array", "A plain (non-window) rule with sendSingle false still sends an array, of one row.", marshal([]interface{}{row1}), []interface{}{row1}, true),
		mk("row-text-escapes", "Row values through the json converter: sorted keys, HTML escaping, raw UTF-8.", marshal(rowText), rowText, true),
	}

	// manifest (REST GET /plugins/portables/{name})
	conda, env := "conda", "myenv"
	goInfo := PluginInfo{PluginMeta: PluginMeta{Name: "mirror", Version: "v1.0.0", Language: "go", Executable: "/kuiper/plugins/portable/mirror/mirror"},
		Sources: []string{"random"}, Sinks: []string{"file"}, Functions: []string{"echo"}}
	pyInfo := PluginInfo{PluginMeta: PluginMeta{Name: "pysam", Version: "v1", Language: "python", Executable: "/kuiper/plugins/portable/pysam/pysam.py", VirtualType: &conda, Env: &env},
		Sources: []string{"pyjson"}, Sinks: []string{"print"}, Functions: []string{"revert"}}
	fnOnly := PluginInfo{PluginMeta: PluginMeta{Name: "fib", Language: "go", Executable: "/kuiper/plugins/portable/fib/fib"}, Functions: []string{"fib", "echo"}}
	infoValue := func(p PluginInfo, nullAsEmpty bool) obj {
		list := func(s []string) interface{} {
			if s == nil && nullAsEmpty {
				return []string{}
			}
			return s
		}
		o := obj{{"name", p.Name}, {"version", p.Version}, {"language", p.Language}, {"executable", p.Executable}}
		if p.VirtualType != nil {
			o = append(o, kv{"virtualEnvType", *p.VirtualType})
		}
		if p.Env != nil {
			o = append(o, kv{"env", *p.Env})
		}
		return append(o, kv{"sources", list(p.Sources)}, kv{"sinks", list(p.Sinks)}, kv{"functions", list(p.Functions)})
	}
	m["manifest"] = []vcase{
		mk("rest-go-plugin", "GET /plugins/portables/{name}: the PluginInfo (embedded PluginMeta fields first, then the lists). name comes from the folder/file name; executable has been made absolute by the host at registration.", marshal(goInfo), infoValue(goInfo, false), true),
		mk("rest-python-conda", "virtualEnvType and env are *string with omitempty: present only when the manifest had them.", marshal(pyInfo), infoValue(pyInfo, false), true),
		mk("rest-absent-lists-null", "A manifest without \"sources\"/\"sinks\" leaves those slices nil, and the host serves them as null; a missing version is served as \"\".", marshal(fnOnly), infoValue(fnOnly, true), false),
		mk("rest-trailing-newline", "Older hosts wrote REST bodies with json.NewEncoder(w).Encode, which appends a newline; newer ones use json.Marshal.", append(marshal(goInfo), '\n'), infoValue(goInfo, false), false),
	}

	// plugin-status (REST GET /plugins/portables/{name}/status)
	st := func(name, desc string, s PluginStatus) vcase {
		rc := map[string]interface{}{}
		for k, v := range s.RefCount {
			rc[k] = v
		}
		return mk(name, desc+" No pid field exists in any host version we could read.", marshal(s), obj{{"refCount", rc}, {"status", s.Status}, {"errMsg", s.ErrMsg}}, true)
	}
	m["plugin-status"] = []vcase{
		st("running", "After a successful handshake; refCount counts started symbols per rule id (keys sorted).", PluginStatus{RefCount: map[string]int{"rule2": 1, "rule1": 2}, Status: "running", ErrMsg: ""}),
		st("initializing", "Created, handshake not yet done; refCount is an empty map, not null.", PluginStatus{RefCount: map[string]int{}, Status: "initializing"}),
		st("error-process-killed", "errMsg is err.Error() of whatever failed; here cmd.Wait() after the process was killed.", PluginStatus{RefCount: map[string]int{"rule1": 1}, Status: "error", ErrMsg: "signal: killed"}),
		st("error-exit-status", "The process exited on its own with status 1.", PluginStatus{RefCount: map[string]int{}, Status: "error", ErrMsg: "exit status 1"}),
		st("stop", "After the plugin was deleted or stopped on purpose (errMsg cleared).", PluginStatus{RefCount: map[string]int{}, Status: "stop"}),
	}
	return m
}
