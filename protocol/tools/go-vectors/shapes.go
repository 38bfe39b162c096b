package main

// Message shapes as the eKuiper host and Go SDK declare them. Field names,
// JSON tags and Go types follow the reference declarations (see FACTS.md for
// the file and commit each one was read from); type names are kept too,
// because encoding/json puts the struct name into some error texts
// ("Go struct field Control.symbolName") that the Go SDK sends back verbatim.

// Meta identifies one symbol instance of a rule.
type Meta struct {
	RuleId     string `json:"ruleId"`
	OpId       string `json:"opId"`
	InstanceId int    `json:"instanceId"`
}

// FuncMeta is the function context, sent as a JSON string as the last Exec
// argument.
type FuncMeta struct {
	Meta
	FuncId int `json:"funcId"`
}

// HostControl is Control as the eKuiper 2.x host builds it: meta is a struct
// value, so it is always present (omitempty never drops a struct). The type
// name is ours; no host text depends on it.
type HostControl struct {
	SymbolName string                 `json:"symbolName"`
	Meta       Meta                   `json:"meta"`
	PluginType string                 `json:"pluginType"`
	DataSource string                 `json:"dataSource,omitempty"`
	Config     map[string]interface{} `json:"config,omitempty"`
}

// Control is the 1.x host shape and the shape the Go SDK decodes into
// (sdk/go/runtime/shared.go): meta is a pointer with omitempty, so a nil meta
// is left out. The name matters: the SDK answers type errors with
// "Go struct field Control.<field>".
type Control struct {
	SymbolName string                 `json:"symbolName"`
	Meta       *Meta                  `json:"meta,omitempty"`
	PluginType string                 `json:"pluginType"`
	DataSource string                 `json:"dataSource,omitempty"`
	Config     map[string]interface{} `json:"config,omitempty"`
}

// Command is the host's reply on the control channel; arg is the Control
// JSON as a string.
type Command struct {
	Cmd string `json:"cmd"`
	Arg string `json:"arg"`
}

// Base64Command is the 2021 SDK shape, where arg was a []byte (base64 on the
// wire). Only used to reproduce the error text such an SDK answers.
type Base64Command struct {
	Cmd string `json:"cmd"`
	Arg []byte `json:"arg"`
}

// PortableConfig is the plugin process argument.
type PortableConfig struct {
	SendTimeout int64 `json:"sendTimeout"`
}

// FuncData is a function call.
type FuncData struct {
	Func string      `json:"func"`
	Arg  interface{} `json:"arg"`
}

// FuncReply is a function reply.
type FuncReply struct {
	State  bool        `json:"state"`
	Result interface{} `json:"result"`
}

// DefaultSourceTuple is what the Go SDK marshals for each source message.
type DefaultSourceTuple struct {
	Mess map[string]interface{} `json:"message"`
	M    map[string]interface{} `json:"meta"`
}

// PluginMeta is the plugin description the host keeps; PluginInfo embeds it
// and is both the manifest (<name>.json) decoding target and the REST body.
type PluginMeta struct {
	Name        string  `json:"name"`
	Version     string  `json:"version"`
	Language    string  `json:"language"`
	Executable  string  `json:"executable"`
	VirtualType *string `json:"virtualEnvType,omitempty"`
	Env         *string `json:"env,omitempty"`
}

type PluginInfo struct {
	PluginMeta
	Sources   []string `json:"sources"`
	Sinks     []string `json:"sinks"`
	Functions []string `json:"functions"`
}

// PluginStatus is the body of GET /plugins/portables/{name}/status.
type PluginStatus struct {
	RefCount map[string]int `json:"refCount"`
	Status   string         `json:"status"`
	ErrMsg   string         `json:"errMsg"`
}

// IOPlugin is the body of POST/PUT /plugins/portables.
type IOPlugin struct {
	Name       string   `json:"name"`
	File       string   `json:"file"`
	ShellParas []string `json:"shellParas"`
}
