// The operations of the mangos interop peer (see main.go for the contract).
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"

	"go.nanomsg.org/mangos/v3"
)

type request struct {
	Op        string `json:"op"`
	Hex       string `json:"hex"`
	Count     int    `json:"count"`
	Size      *int   `json:"size"`
	TimeoutMs *int   `json:"timeout_ms"`
}

type peer struct {
	sock  mangos.Socket
	pipes *int64
}

// numbered is message i of a stream: u32 BE i, then (i + k) & 0xff.
func numbered(i, size int) []byte {
	var head [4]byte
	binary.BigEndian.PutUint32(head[:], uint32(i))
	if size <= 4 {
		return append([]byte{}, head[:size]...)
	}
	b := make([]byte, size)
	copy(b, head[:])
	for k := 0; k < size-4; k++ {
		b[4+k] = byte(i + k)
	}
	return b
}

func kind(err error) string {
	switch {
	case errors.Is(err, mangos.ErrRecvTimeout), errors.Is(err, mangos.ErrSendTimeout):
		return "Timeout"
	case errors.Is(err, mangos.ErrClosed):
		return "Closed"
	case errors.Is(err, mangos.ErrProtoState):
		return "BadState"
	case errors.Is(err, mangos.ErrAddrInUse):
		return "AddressInUse"
	case errors.Is(err, mangos.ErrTooLong):
		return "MessageTooLarge"
	}
	return "Error"
}

func failure(err error) reply {
	return reply{"ok": false, "error": kind(err), "message": err.Error()}
}

// withTimeout sets the receive deadline; a missing timeout_ms means 10 s.
func (p *peer) withTimeout(r *request) error {
	t := 10000
	if r.TimeoutMs != nil {
		t = *r.TimeoutMs
	}
	if t < 0 {
		t = 0 // mangos: zero deadline waits forever
	}
	return p.sock.SetOption(mangos.OptionRecvDeadline, ms(t))
}

func (p *peer) handle(r *request) reply {
	switch r.Op {
	case "send":
		b, err := hex.DecodeString(r.Hex)
		if err == nil {
			err = p.sock.Send(b)
		}
		if err != nil {
			return failure(err)
		}
		return reply{"ok": true}
	case "recv":
		if err := p.withTimeout(r); err != nil {
			return failure(err)
		}
		b, err := p.sock.Recv()
		if err != nil {
			return failure(err)
		}
		return reply{"ok": true, "hex": hex.EncodeToString(b)}
	case "sendmany":
		size := 16
		if r.Size != nil {
			size = *r.Size
		}
		for i := 0; i < r.Count; i++ {
			if err := p.sock.Send(numbered(i, size)); err != nil {
				f := failure(err)
				f["sent"] = i
				return f
			}
		}
		return reply{"ok": true, "sent": r.Count}
	case "recvmany":
		if err := p.withTimeout(r); err != nil {
			return failure(err)
		}
		digest, total, got := sha256.New(), 0, 0
		var length [4]byte
		for got < r.Count {
			b, err := p.sock.Recv()
			if errors.Is(err, mangos.ErrRecvTimeout) {
				break // report what did arrive; the test compares counts
			} else if err != nil {
				return failure(err)
			}
			binary.BigEndian.PutUint32(length[:], uint32(len(b)))
			digest.Write(length[:])
			digest.Write(b)
			total += len(b)
			got++
		}
		return reply{"ok": true, "count": got, "bytes": total, "digest": hex.EncodeToString(digest.Sum(nil))}
	case "echo":
		if err := p.withTimeout(r); err != nil {
			return failure(err)
		}
		for i := 0; i < r.Count; i++ {
			b, err := p.sock.Recv()
			if err == nil {
				err = p.sock.Send(b)
			}
			if err != nil {
				f := failure(err)
				f["count"] = i
				return f
			}
		}
		return reply{"ok": true, "count": r.Count}
	case "pipes":
		return reply{"ok": true, "pipes": atomic.LoadInt64(p.pipes)}
	}
	return failure(fmt.Errorf("unknown op %q", r.Op))
}
