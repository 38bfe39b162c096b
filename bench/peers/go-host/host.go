// The host side of version 1 for one function symbol, on mangos REP sockets:
// control channel, plugin spawn, function start command, function channel
// and the Exec call (PROTOCOL.md §3.1, §4.2, §4.6, §5.1, §5.2). Only what a
// host needs for sequential calls: no sources, sinks, restarts or replay.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"go.nanomsg.org/mangos/v3"
	"go.nanomsg.org/mangos/v3/protocol/rep"
	_ "go.nanomsg.org/mangos/v3/transport/ipc"
)

// The only argument a v1 host gives its plugin (§3.1).
const portableConfig = `{"sendTimeout":1000}`

type command struct {
	Cmd string `json:"cmd"`
	Arg string `json:"arg"`
}

type meta struct {
	RuleID     string `json:"ruleId"`
	OpID       string `json:"opId"`
	InstanceID int    `json:"instanceId"`
}

type control struct {
	SymbolName string `json:"symbolName"`
	Meta       meta   `json:"meta"`
	PluginType string `json:"pluginType"`
}

type funcMeta struct {
	RuleID     string `json:"ruleId"`
	OpID       string `json:"opId"`
	InstanceID int    `json:"instanceId"`
	FuncID     int    `json:"funcId"`
}

type funcCall struct {
	Func string        `json:"func"`
	Arg  []interface{} `json:"arg"`
}

type funcReply struct {
	State  bool        `json:"state"`
	Result interface{} `json:"result"`
}

type options struct {
	exe, name, symbol string
	initTimeout       time.Duration
	callTimeout       time.Duration
}

// host is one plugin process with its control channel and one function channel.
type host struct {
	opts    options
	ctrl    mangos.Socket
	fn      mangos.Socket
	proc    *exec.Cmd
	started time.Time
}

// listenRep listens with a REP socket on /tmp/<file> (the reference SDKs' fixed folder).
func listenRep(file string, recv time.Duration) (mangos.Socket, error) {
	s, err := rep.NewSocket()
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]interface{}{
		mangos.OptionRecvDeadline: recv,
		mangos.OptionSendDeadline: recv,
		mangos.OptionMaxRecvSize:  0,
	} {
		if err := s.SetOption(k, v); err != nil {
			return nil, fmt.Errorf("%s: option %s: %w", file, k, err)
		}
	}
	path := filepath.Join("/tmp", file)
	_ = os.Remove(path) // a stale file of an earlier run
	if err := s.Listen("ipc://" + path); err != nil {
		s.Close()
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	return s, nil
}

// start listens on the control channel, spawns the plugin, takes its
// handshake, listens on the function channel, starts the function and takes
// the function channel's first request: ready for calls.
func start(o options) (*host, error) {
	h := &host{opts: o, started: time.Now()}
	var err error
	if o.exe, err = filepath.Abs(o.exe); err != nil { // it runs in its own folder
		return nil, err
	}
	if h.ctrl, err = listenRep("plugin_"+o.name+".ipc", o.initTimeout); err != nil {
		return nil, err
	}
	h.proc = exec.Command(o.exe, portableConfig)
	h.proc.Dir = filepath.Dir(o.exe)
	out := &prefixed{prefix: "[go-host] plugin " + o.name + ": "}
	h.proc.Stdout, h.proc.Stderr = out, out
	h.proc.Env = append(os.Environ(),
		"PORTABLE_PLUGIN_NAME="+o.name, "PORTABLE_LOG_LEVEL=warn", "BENCH_ECHO_SYMBOL="+o.symbol)
	if err = h.proc.Start(); err != nil {
		h.close()
		return nil, fmt.Errorf("spawn %s: %w", o.exe, err)
	}
	if _, err = h.ctrl.Recv(); err != nil { // any first request is the handshake (§4.2.1)
		h.close()
		return nil, fmt.Errorf("plugin %s: no handshake on the control channel: %w", o.name, err)
	}
	if h.fn, err = listenRep("func_"+o.symbol+".ipc", o.initTimeout); err != nil {
		h.close()
		return nil, err
	}
	ctl, _ := json.Marshal(control{SymbolName: o.symbol, PluginType: "func"})
	cmd, _ := json.Marshal(command{Cmd: "start", Arg: string(ctl)})
	answer, err := roundTrip(h.ctrl, cmd)
	if err == nil && string(answer) != "ok" {
		err = fmt.Errorf("answer %q", answer)
	}
	if err != nil {
		h.close()
		return nil, fmt.Errorf("plugin %s: start of function %s: %w", o.name, o.symbol, err)
	}
	if _, err = h.fn.Recv(); err != nil {
		h.close()
		return nil, fmt.Errorf("function %s: no first request: %w", o.symbol, err)
	}
	if err = h.fn.SetOption(mangos.OptionRecvDeadline, o.callTimeout); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// roundTrip replies `msg` to the current request and returns the next one,
// sending `msg` again while the next one is a handshake (the first-byte rule, §5.2).
func roundTrip(s mangos.Socket, msg []byte) ([]byte, error) {
	for {
		if err := s.Send(msg); err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		got, err := s.Recv()
		if err != nil {
			return nil, fmt.Errorf("receive: %w", err)
		}
		if len(got) == 0 || got[0] != 'h' {
			return got, nil
		}
	}
}

// exec calls Exec(args...) as a host does for every evaluation: encode the
// context and the call, one round trip, decode the reply.
func (h *host) exec(args []interface{}, ctx funcMeta) (interface{}, error) {
	m, err := json.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	arg := make([]interface{}, 0, len(args)+1)
	arg = append(append(arg, args...), string(m))
	body, err := json.Marshal(funcCall{Func: "Exec", Arg: arg})
	if err != nil {
		return nil, err
	}
	raw, err := roundTrip(h.fn, body)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", h.opts.symbol, err)
	}
	var r funcReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("function %s: reply %q: %w", h.opts.symbol, raw, err)
	}
	if !r.State {
		return nil, fmt.Errorf("function %s failed: %v", h.opts.symbol, r.Result)
	}
	return r.Result, nil
}

// close stops the plugin (SIGTERM, SIGKILL after 2 s) and closes the sockets.
func (h *host) close() {
	if h.proc != nil && h.proc.Process != nil {
		_ = h.proc.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- h.proc.Wait() }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			_ = h.proc.Process.Kill()
			<-done
		}
	}
	for _, s := range []mangos.Socket{h.fn, h.ctrl} {
		if s != nil {
			_ = s.Close()
		}
	}
	for _, f := range []string{"func_" + h.opts.symbol, "plugin_" + h.opts.name} {
		_ = os.Remove(filepath.Join("/tmp", f+".ipc"))
	}
}

var errUsage = errors.New("usage")

// prefixed writes the plugin's output lines to stderr, each under a prefix
// naming it (as our host logs `plugin <name> stderr: ...`).
type prefixed struct {
	prefix  string
	midLine bool
}

func (p *prefixed) Write(b []byte) (int, error) {
	var buf bytes.Buffer
	for _, c := range b {
		if !p.midLine {
			buf.WriteString(p.prefix)
		}
		buf.WriteByte(c)
		p.midLine = c != '\n'
	}
	if _, err := os.Stderr.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
