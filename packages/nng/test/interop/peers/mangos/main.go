// A mangos v3 peer for the interop tests of @portable-plugins/nng, driven over
// stdin/stdout with the same command line and JSON-lines contract as
// ../pynng_peer.py, so both run under one TypeScript driver.
//
// One socket, one listen or dial, then one JSON object per line each way. The
// first line printed is READY with the resolved URL (tcp port 0 becomes the
// bound port). Every request line gets exactly one reply line:
//
//	{"op":"send","hex":"..."}                  -> {"ok":true}
//	{"op":"recv","timeout_ms":5000}            -> {"ok":true,"hex":"..."}
//	{"op":"sendmany","count":N,"size":S}       -> {"ok":true,"sent":N}
//	{"op":"recvmany","count":N,"timeout_ms":T} -> {"ok":true,"count":n,"bytes":b,"digest":"..."}
//	{"op":"echo","count":N,"timeout_ms":T}     -> {"ok":true,"count":n}  (REP/PAIR: send back each message)
//	{"op":"pipes"}                             -> {"ok":true,"pipes":n}
//	{"op":"close"}                             -> {"ok":true}, then exit 0
//
// Failures answer {"ok":false,"error":"<kind>","message":"..."}. End of stdin
// closes the socket and exits. Payloads and digests are those of
// pynng_peer.py (numbered messages; sha256 over u32 BE length + bytes).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"go.nanomsg.org/mangos/v3"
	"go.nanomsg.org/mangos/v3/protocol/pair"
	"go.nanomsg.org/mangos/v3/protocol/pull"
	"go.nanomsg.org/mangos/v3/protocol/push"
	"go.nanomsg.org/mangos/v3/protocol/rep"
	"go.nanomsg.org/mangos/v3/protocol/req"
	_ "go.nanomsg.org/mangos/v3/transport/ipc"
	_ "go.nanomsg.org/mangos/v3/transport/tcp"
)

var protocols = map[string]func() (mangos.Socket, error){
	"req": req.NewSocket, "rep": rep.NewSocket,
	"push": push.NewSocket, "pull": pull.NewSocket, "pair": pair.NewSocket,
}

type reply map[string]interface{}

var out = bufio.NewWriter(os.Stdout)

func emit(r reply) {
	b, err := json.Marshal(r)
	if err != nil {
		b = []byte(`{"ok":false,"error":"Internal","message":"unencodable reply"}`)
	}
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func main() {
	proto := flag.String("proto", "", "req, rep, push, pull or pair")
	listen := flag.String("listen", "", "URL to listen on")
	dial := flag.String("dial", "", "URL to dial (in the background, retrying)")
	sendTimeout := flag.Int("send-timeout-ms", 10000, "send deadline")
	resend := flag.Int("resend-ms", -1, "REQ resend time (mangos default 60 s; 0 = never)")
	recvMax := flag.Int("recv-max", -1, "receive size limit, 0 = none (mangos default 1 MiB)")
	reconnect := flag.Int("reconnect-ms", 100, "dialer reconnect time")
	flag.Parse()

	open, known := protocols[*proto]
	if !known || (*listen == "") == (*dial == "") {
		fmt.Fprintln(os.Stderr, "usage: mangos-peer --proto req|rep|push|pull|pair (--listen URL | --dial URL)")
		os.Exit(64)
	}
	sock, err := open()
	if err != nil {
		emit(reply{"ready": false, "ok": false, "error": kind(err), "message": err.Error()})
		os.Exit(2)
	}
	err = configure(sock, *proto, *sendTimeout, *resend, *recvMax, *reconnect)
	var pipes int64
	sock.SetPipeEventHook(func(ev mangos.PipeEvent, _ mangos.Pipe) {
		switch ev {
		case mangos.PipeEventAttached:
			atomic.AddInt64(&pipes, 1)
		case mangos.PipeEventDetached:
			atomic.AddInt64(&pipes, -1)
		}
	})
	url := *dial
	if err == nil && *listen != "" {
		url, err = listenOn(sock, *listen)
	} else if err == nil {
		// Asynchronous: the dialer retries in the background until the
		// listener appears, as a plugin started before its host would.
		err = sock.DialOptions(*dial, map[string]interface{}{mangos.OptionDialAsynch: true})
	}
	if err != nil {
		emit(reply{"ready": false, "ok": false, "error": kind(err), "message": err.Error()})
		os.Exit(2)
	}
	emit(reply{"ready": true, "url": url, "mangos": "v3.4.2"})

	p := &peer{sock: sock, pipes: &pipes}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, rerr := in.ReadBytes('\n')
		if len(line) > 1 {
			var op request
			if jerr := json.Unmarshal(line, &op); jerr != nil {
				emit(failure(jerr))
			} else if op.Op == "close" {
				emit(reply{"ok": true})
				break
			} else {
				emit(p.handle(&op))
			}
		}
		if rerr == io.EOF {
			break
		} else if rerr != nil {
			fmt.Fprintln(os.Stderr, "stdin:", rerr)
			break
		}
	}
	sock.Close()
}

func configure(sock mangos.Socket, proto string, sendTimeout, resend, recvMax, reconnect int) error {
	opts := map[string]interface{}{
		mangos.OptionReconnectTime:    ms(reconnect),
		mangos.OptionMaxReconnectTime: ms(reconnect),
	}
	if proto != "pull" { // PULL never sends: mangos refuses the option there
		opts[mangos.OptionSendDeadline] = ms(sendTimeout)
	}
	if recvMax >= 0 {
		// Taken by dialers and listeners when they are created.
		opts[mangos.OptionMaxRecvSize] = recvMax
	}
	if resend >= 0 && proto == "req" {
		opts[mangos.OptionRetryTime] = ms(resend)
	}
	for name, v := range opts {
		if err := sock.SetOption(name, v); err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
	}
	return nil
}

func listenOn(sock mangos.Socket, url string) (string, error) {
	l, err := sock.NewListener(url, nil)
	if err != nil {
		return "", err
	}
	if err = l.Listen(); err != nil {
		return "", err
	}
	return l.Address(), nil
}
