// Host side of the capture: the sockets an eKuiper host opens (control REP,
// function REP, source PULL, sink PUSH and ack PULL), with mangos, and the
// plugin process, started the way the host starts it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"go.nanomsg.org/mangos/v3"
	"go.nanomsg.org/mangos/v3/protocol/pull"
	"go.nanomsg.org/mangos/v3/protocol/push"
	"go.nanomsg.org/mangos/v3/protocol/rep"
	_ "go.nanomsg.org/mangos/v3/transport/ipc"
)

// The host's message shapes (PROTOCOL.md §4), written as the host writes them.
type meta struct {
	RuleID     string `json:"ruleId"`
	OpID       string `json:"opId"`
	InstanceID int    `json:"instanceId"`
}

type control struct {
	SymbolName string                 `json:"symbolName"`
	Meta       *meta                  `json:"meta,omitempty"`
	PluginType string                 `json:"pluginType"`
	DataSource string                 `json:"dataSource,omitempty"`
	Config     map[string]interface{} `json:"config,omitempty"`
}

type command struct {
	Cmd string `json:"cmd"`
	Arg string `json:"arg"`
}

type funcCall struct {
	Func string      `json:"func"`
	Arg  interface{} `json:"arg"`
}

func marshal(v interface{}) []byte {
	b, err := json.Marshal(v)
	must(err)
	return b
}

func commandBytes(cmd string, c control) []byte {
	return marshal(command{Cmd: cmd, Arg: string(marshal(c))})
}

func listenRep(url string) mangos.Socket {
	s, err := rep.NewSocket()
	must(err)
	must(s.SetOption(mangos.OptionRecvDeadline, 10*time.Second))
	must(s.SetOption(mangos.OptionMaxRecvSize, 0))
	must(s.Listen(url))
	return s
}

func listenPull(url string) mangos.Socket {
	s, err := pull.NewSocket()
	must(err)
	must(s.SetOption(mangos.OptionRecvDeadline, 5*time.Second))
	must(s.Listen(url))
	return s
}

func dialPush(url string) mangos.Socket {
	s, err := push.NewSocket()
	must(err)
	must(s.SetOption(mangos.OptionSendDeadline, 5*time.Second))
	must(s.Dial(url))
	return s
}

// plugin is one plugin process and the host's control channel to it.
type plugin struct {
	ctl  mangos.Socket
	proc *exec.Cmd
	log  *os.File
}

func startPlugin(binary, name, logPath string) *plugin {
	ctl := listenRep(fmt.Sprintf("ipc:///tmp/plugin_%s.ipc", name))
	log, err := os.Create(logPath)
	must(err)
	proc := exec.Command(binary, portableConfig)
	proc.Dir = filepath.Dir(binary)
	proc.Env = append(os.Environ(), "PORTABLE_PLUGIN_NAME="+name)
	proc.Stdout, proc.Stderr = log, log
	must(proc.Start())
	return &plugin{ctl: ctl, proc: proc, log: log}
}

func (p *plugin) recv() []byte {
	b, err := p.ctl.Recv()
	if err != nil {
		panic(fmt.Sprintf("control channel: %v (plugin log: %s)", err, p.log.Name()))
	}
	return b
}

// send replies to the plugin's pending request with body and returns the
// plugin's next request: the answer.
func (p *plugin) send(body []byte) []byte {
	must(p.ctl.Send(body))
	return p.recv()
}

func (p *plugin) command(cmd string, c control) []byte { return p.send(commandBytes(cmd, c)) }

func (p *plugin) kill() {
	if p.proc.ProcessState == nil {
		_ = p.proc.Process.Kill()
		_ = p.proc.Wait()
	}
	_ = p.ctl.Close()
	_ = p.log.Close()
}

// alive reports whether the plugin process is still running.
func (p *plugin) alive() bool {
	return p.proc.Process.Signal(syscall.Signal(0)) == nil
}

// funcChannel is the host's REP socket of one function symbol.
type funcChannel struct{ s mangos.Socket }

func listenFunc(symbol string) *funcChannel {
	return &funcChannel{listenRep(fmt.Sprintf("ipc:///tmp/func_%s.ipc", symbol))}
}

func (f *funcChannel) recv() []byte {
	b, err := f.s.Recv()
	if err != nil {
		panic(fmt.Sprintf("function channel: %v", err))
	}
	return b
}

func (f *funcChannel) send(body []byte) []byte {
	must(f.s.Send(body))
	return f.recv()
}

func (f *funcChannel) call(name string, arg interface{}) []byte {
	return f.send(marshal(funcCall{Func: name, Arg: arg}))
}
