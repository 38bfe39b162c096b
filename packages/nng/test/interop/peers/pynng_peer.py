#!/usr/bin/env python3
"""A libnng peer (through pynng) driven by the interop tests over stdin/stdout.

One socket, one listen or dial, then one JSON object per line in each
direction. The first line printed is READY, with the resolved URL (tcp port 0
becomes the bound port). Every request line gets exactly one reply line:
    {"op":"send","hex":"..."}                  -> {"ok":true}
    {"op":"recv","timeout_ms":5000}            -> {"ok":true,"hex":"..."}
    {"op":"sendmany","count":N,"size":S}       -> {"ok":true,"sent":N}
    {"op":"recvmany","count":N,"timeout_ms":T} -> {"ok":true,"count":n,"bytes":b,"digest":"..."}
    {"op":"echo","count":N,"timeout_ms":T}     -> {"ok":true,"count":n}  (REP/PAIR: send back each message)
    {"op":"pipes"}                             -> {"ok":true,"pipes":n}
    {"op":"close"}                             -> {"ok":true}, then exit 0
Failures answer {"ok":false,"error":"<pynng exception class>","message":"..."}.
End of stdin closes the socket and exits, so a test runner that dies takes
its peers with it.

Payloads of sendmany are numbered: message i is the 4-byte big-endian i
followed by S-4 bytes of (i + k) & 0xff; the digest of recvmany is the
sha256 over every message as u32 BE length + bytes, in arrival order. The
test computes the same over the messages it sent, so equal digests prove
that every message arrived, intact, in order.
"""

import argparse
import hashlib
import json
import struct
import sys

import pynng

PROTOCOLS = {
    "req": pynng.Req0,
    "rep": pynng.Rep0,
    "push": pynng.Push0,
    "pull": pynng.Pull0,
    "pair": pynng.Pair0,
}


def numbered(i: int, size: int) -> bytes:
    head = struct.pack(">I", i & 0xFFFFFFFF)
    if size <= 4:
        return head[:size]
    return head + bytes((i + k) & 0xFF for k in range(size - 4))


def reply(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def failure(err: BaseException) -> dict:
    return {"ok": False, "error": type(err).__name__, "message": str(err)}


def with_timeout(sock: pynng.Socket, ms):
    # NNG's recv timeout is a socket option; -1 means wait forever.
    sock.recv_timeout = -1 if ms is None else int(ms)


def recv(sock: pynng.Socket) -> bytes:
    # Socket.recv() in pynng 0.8.1 raises on a zero-length message
    # (ffi.unpack of NULL); recv_msg().bytes does not.
    return sock.recv_msg().bytes


def handle(sock: pynng.Socket, req: dict) -> dict:
    op = req.get("op")
    if op == "send":
        sock.send(bytes.fromhex(req.get("hex", "")))
        return {"ok": True}
    if op == "recv":
        with_timeout(sock, req.get("timeout_ms", 10000))
        return {"ok": True, "hex": recv(sock).hex()}
    if op == "sendmany":
        count, size = int(req["count"]), int(req.get("size", 16))
        for i in range(count):
            sock.send(numbered(i, size))
        return {"ok": True, "sent": count}
    if op == "recvmany":
        count = int(req["count"])
        with_timeout(sock, req.get("timeout_ms", 10000))
        digest, total, got = hashlib.sha256(), 0, 0
        try:
            while got < count:
                msg = recv(sock)
                digest.update(struct.pack(">I", len(msg)))
                digest.update(msg)
                total += len(msg)
                got += 1
        except pynng.Timeout:
            pass  # report what did arrive; the test compares counts
        return {"ok": True, "count": got, "bytes": total, "digest": digest.hexdigest()}
    if op == "echo":
        count = int(req["count"])
        with_timeout(sock, req.get("timeout_ms", 10000))
        for i in range(count):
            sock.send(recv(sock))
        return {"ok": True, "count": count}
    if op == "pipes":
        return {"ok": True, "pipes": len(sock.pipes)}
    raise ValueError(f"unknown op {op!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proto", required=True, choices=sorted(PROTOCOLS))
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--listen")
    where.add_argument("--dial")
    ap.add_argument("--send-timeout-ms", type=int, default=10000)
    ap.add_argument("--resend-ms", type=int, help="REQ resend time (NNG default 60 s)")
    ap.add_argument("--recv-max", type=int, help="receive size limit, 0 = none (NNG default)")
    ap.add_argument("--reconnect-ms", type=int, default=100)
    args = ap.parse_args()

    sock = PROTOCOLS[args.proto]()
    sock.send_timeout = args.send_timeout_ms
    sock.reconnect_time_min = args.reconnect_ms
    sock.reconnect_time_max = args.reconnect_ms
    if args.recv_max is not None:
        sock.recv_max_size = args.recv_max
    if args.resend_ms is not None:
        sock.resend_time = args.resend_ms
    try:
        if args.listen:
            url = sock.listen(args.listen).url
        else:
            # Non-blocking: the dialer retries in the background until the
            # listener appears, as a plugin started before its host would.
            sock.dial(args.dial, block=False)
            url = args.dial
    except pynng.NNGException as err:
        reply({"ready": False, **failure(err)})
        return 2
    reply({"ready": True, "url": url, "pynng": pynng.__version__})

    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                req = json.loads(line)
                if req.get("op") == "close":
                    reply({"ok": True})
                    break
                reply(handle(sock, req))
            except Exception as err:  # noqa: BLE001 - every failure is an answer
                reply(failure(err))
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
