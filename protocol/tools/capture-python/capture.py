#!/usr/bin/env python3
"""Captures what eKuiper's Python SDK puts on the wire, as test vectors.

This program plays the HOST side of the portable-plugin protocol with pynng
(the same NNG library the SDK uses), starts real plugins built on the SDK the
way the reference host does (`python -u <executable> '{"sendTimeout":1000}'`,
working directory = the plugin folder) and records every payload the plugins
send, byte for byte:

  - examples/python-mirror (plugin name overridden to `vecmirror`)
  - probe/probe.py, a test-only plugin (`vecprobe`) for what the mirror never
    sends: source errors, metadata, odd values, odd acks, failing functions

It writes protocol/vectors/python-sdk/<kind>.json (format: vectors/README.md)
and prints the timings and process observations summarised in OBSERVED.md.

Run from anywhere:  .venv/bin/python protocol/tools/capture-python/capture.py
It refuses to run while any socket file it would use exists in /tmp, and it
kills the plugins it started and removes its socket files when it ends.
Takes about 45 s (it waits out the SDK's 5 s keepalive several times).
"""

import glob
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import pynng

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MIRROR_DIR = os.path.join(ROOT, "examples", "python-mirror")
PROBE_DIR = os.path.join(HERE, "probe")
# An output folder other than the committed one may be given as the only
# argument (the drift test captures into a temporary folder and compares).
OUT_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "protocol", "vectors", "python-sdk")

PORTABLE_CONFIG = '{"sendTimeout":1000}'
MIRROR_NAME = "vecmirror"
PROBE_NAME = "vecprobe"
NOHOST_NAME = "vecnohost"
RULE = "vecrule"
ECHO = "echo"  # the mirror's function; its channel is keyed by symbol alone
BOOM = "vecboom"

OWN_SOCKETS = [
    "/tmp/plugin_{}.ipc".format(MIRROR_NAME),
    "/tmp/plugin_{}.ipc".format(PROBE_NAME),
    "/tmp/plugin_{}.ipc".format(NOHOST_NAME),
    "/tmp/func_{}.ipc".format(ECHO),
    "/tmp/func_{}.ipc".format(BOOM),
]
OWN_SOCKET_GLOB = "/tmp/{}_*.ipc".format(RULE)

HOW = ("cd <repository root> && .venv/bin/python protocol/tools/capture-python/capture.py"
       " (venv from scripts/setup-peers.sh; captured with ekuiper=={}, pynng=={}, Python {}."
       " Host side: pynng; plugins: examples/python-mirror run as `{}` and the test-only"
       " protocol/tools/capture-python/probe/probe.py, both started as"
       " `python -u <executable> '{}'` in their folder)").format(
    importlib.metadata.version("ekuiper"), pynng.__version__,
    "{}.{}.{}".format(*sys.version_info[:3]), MIRROR_NAME, PORTABLE_CONFIG)

KIND_ORDER = ["handshake", "answer", "source-envelope", "sink-ack", "func-reply"]

notes: List[str] = []


def note(text: str) -> None:
    notes.append(text)
    print("  * " + text, flush=True)


# ---------------------------------------------------------------------------
# Go's encoding/json dialect, to decide `reencode`


def go_string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        out = out.replace(ch, esc)
    return out


def go_number(n: Any) -> str:
    if isinstance(n, int):
        return str(n)
    if n == int(n) and abs(n) < 1e21:
        return str(int(n))
    text = repr(n)
    if "e" in text:
        mant, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        text = "{}e{}{}".format(mant, sign, exp.lstrip("+-").lstrip("0") or "0")
    return text


def go_json(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return go_number(v)
    if isinstance(v, str):
        return go_string(v)
    if isinstance(v, list):
        return "[" + ",".join(go_json(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(go_string(k) + ":" + go_json(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def go_encode(kind: str, value: Dict[str, Any]) -> bytes:
    """How an encoder following PROTOCOL.md writes `value` (struct fields in wire order)."""
    if kind == "handshake":
        return b"handshake"
    if kind == "answer":
        return b"ok" if value["ok"] else value["error"].encode("utf-8")
    if kind == "source-envelope":
        if value["type"] == "error":
            return ('{"error":' + go_string(value["error"]) + "}").encode("utf-8")
        return ('{"message":' + go_json(value["message"]) + ',"meta":'
                + go_json(value["meta"]) + "}").encode("utf-8")
    if kind == "sink-ack":
        if value["ok"]:
            return b"{}"
        return ('{"error":' + go_string(value["error"]) + "}").encode("utf-8")
    if kind == "func-reply":
        return ('{"state":' + go_json(value["state"]) + ',"result":'
                + go_json(value["result"]) + "}").encode("utf-8")
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# Decoding into the README's `value` forms


def decode(kind: str, payload: bytes) -> Tuple[Dict[str, Any], List[str]]:
    text = payload.decode("utf-8")
    if kind == "handshake":
        assert payload == b"handshake", payload
        return {"handshake": True}, []
    if kind == "answer":
        if payload == b"ok":
            return {"ok": True}, []
        return {"ok": False, "error": text}, []
    obj = json.loads(text)
    if kind == "source-envelope":
        if isinstance(obj, str):
            return {"type": "error", "error": json.loads(obj)["error"]}, ["error-as-string"]
        if "error" in obj and "message" not in obj:
            return {"type": "error", "error": obj["error"]}, []
        return {"type": "data", "message": obj["message"], "meta": obj.get("meta")}, []
    if kind == "sink-ack":
        err = obj.get("error")
        if err is None:
            return {"ok": True}, []
        if err == "":
            return {"ok": True}, ["ack-empty-error"]
        return {"ok": False, "error": err}, []
    if kind == "func-reply":
        return {"state": obj["state"], "result": obj.get("result")}, []
    raise ValueError(kind)


# Tracebacks name files by absolute path; vectors must not carry this machine's
# paths, so they are replaced by placeholders (longest first: the venv lies
# inside the repository).
PATH_PLACEHOLDERS = sorted(
    [(os.path.realpath(sys.prefix), "<venv>"), (os.path.realpath(ROOT), "<repo>"),
     (os.path.realpath(sys.base_prefix), "<python>"), (sys.prefix, "<venv>"), (ROOT, "<repo>"),
     (sys.base_prefix, "<python>")],
    key=lambda p: -len(p[0]))


def normalise_paths(payload: bytes) -> Tuple[bytes, bool]:
    out = payload
    for path, placeholder in PATH_PLACEHOLDERS:
        out = out.replace(path.encode(), placeholder.encode())
    return out, out != payload


class Vectors:

    def __init__(self):
        self.cases: Dict[str, List[Dict[str, Any]]] = {k: [] for k in KIND_ORDER}

    def add(self, kind: str, name: str, description: str, payload: bytes) -> None:
        payload, normalised = normalise_paths(payload)
        if normalised:
            description += " Machine-specific paths in the traceback are replaced by <venv>, <repo> and <python>."
        names = [c["name"] for c in self.cases[kind]]
        assert name not in names, (kind, name)
        value, warnings = decode(kind, payload)
        self.cases[kind].append({
            "name": name,
            "description": description,
            "hex": payload.hex(),
            "text": payload.decode("utf-8"),
            "value": value,
            "reencode": go_encode(kind, value) == payload,
            "warnings": warnings,
        })
        print("  {:16} {:40} {}".format(kind, name, payload[:90]), flush=True)

    def write(self) -> None:
        os.makedirs(OUT_DIR, exist_ok=True)
        for kind in KIND_ORDER:
            doc = {
                "kind": kind,
                "producer": "python-sdk",
                "provenance": "captured",
                "how": HOW,
                "cases": self.cases[kind],
            }
            path = os.path.join(OUT_DIR, kind + ".json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            print("wrote {} ({} cases)".format(os.path.relpath(path, ROOT), len(self.cases[kind])))


# ---------------------------------------------------------------------------
# Host side


def go_dumps(obj: Any) -> bytes:
    """Host messages are written the way the Go host writes them."""
    return go_json(obj).encode("utf-8")


def control(symbol: str, plugin_type: str, op: Optional[str], config: Optional[dict] = None,
            **extra: Any) -> Dict[str, Any]:
    meta = {"ruleId": RULE if op else "", "opId": op or "", "instanceId": 0}
    c: Dict[str, Any] = {"symbolName": symbol, "meta": meta, "pluginType": plugin_type}
    c.update(extra)
    if config is not None:
        c["config"] = config
    return c


def data_url(op: str, suffix: str = "") -> str:
    return "ipc:///tmp/{}_{}_0{}.ipc".format(RULE, op, suffix)


class Plugin:
    """One plugin process and the host's control channel to it."""

    def __init__(self, name: str, folder: str, executable: str, logdir: str):
        self.name = name
        self.rep = pynng.Rep0(recv_timeout=10000)
        self.rep.recv_max_size = 0
        self.rep.listen("ipc:///tmp/plugin_{}.ipc".format(name))
        self.log_path = os.path.join(logdir, name + ".log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, PORTABLE_PLUGIN_NAME=name)
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-u", executable, PORTABLE_CONFIG],
                                     cwd=folder, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.t_last = self.t_start

    def recv(self) -> bytes:
        msg = self.rep.recv()
        self.t_last = time.monotonic()
        return msg

    def command(self, cmd: str, ctrl: Dict[str, Any]) -> bytes:
        """Sends a command as the reply to the pending request; returns the answer."""
        body = go_dumps({"cmd": cmd, "arg": go_json(ctrl)})
        self.rep.send(body)
        answer = self.recv()
        while answer.startswith(b"h"):
            note("{}: handshake while waiting for an answer; command sent again".format(self.name))
            self.rep.send(body)
            answer = self.recv()
        return answer

    def log_text(self) -> str:
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.rep.close()
        self.log.close()


class FuncChannel:

    def __init__(self, symbol: str):
        self.rep = pynng.Rep0(recv_timeout=10000)
        self.rep.recv_max_size = 0
        self.rep.listen("ipc:///tmp/func_{}.ipc".format(symbol))
        self.t_last = time.monotonic()

    def recv(self) -> bytes:
        msg = self.rep.recv()
        self.t_last = time.monotonic()
        return msg

    def call(self, func: str, arg: Any) -> bytes:
        body = go_dumps({"func": func, "arg": arg})
        self.rep.send(body)
        reply = self.recv()
        while reply.startswith(b"h"):
            note("function channel: handshake while waiting for a reply; call sent again")
            self.rep.send(body)
            reply = self.recv()
        return reply

    def close(self) -> None:
        self.rep.close()


def pull(url: str, timeout: int = 5000) -> pynng.Pull0:
    s = pynng.Pull0(recv_timeout=timeout)
    s.recv_max_size = 0
    s.listen(url)
    return s


def fmeta(func_id: int = 1) -> str:
    return go_json({"ruleId": RULE, "opId": "fn", "instanceId": 0, "funcId": func_id})


def timed_recv(fn, out: Dict[str, Any], key: str) -> None:
    t0 = time.monotonic()
    try:
        out[key] = (fn(), time.monotonic())
    except Exception as e:  # noqa: BLE001
        out[key] = (e, time.monotonic() - t0)


# ---------------------------------------------------------------------------
# Sessions


def mirror_session(v: Vectors, logdir: str) -> None:
    print("mirror session ({})".format(MIRROR_NAME), flush=True)
    p = Plugin(MIRROR_NAME, MIRROR_DIR, "mirror.py", logdir)
    fn: Optional[FuncChannel] = None
    try:
        hs = p.recv()
        note("control handshake {:.2f} s after process start".format(p.t_last - p.t_start))
        v.add("handshake", "control-handshake",
              "First request on the control channel after the plugin dials it.", hs)

        # Source: random with a seeded generator, so the values are reproducible.
        src = pull(data_url("src"))
        ans = p.command("start", control("random", "source", "src", {
            "interval": 100, "seed": 10, "deduplicate": 3, "randomSeed": 7,
            "pattern": {"count": 50}}, dataSource="ignored"))
        v.add("answer", "start-source-ok", "Answer to a successful start command.", ans)
        for i in range(1, 5):
            msg = src.recv()
            v.add("source-envelope", "random-{}".format(i),
                  "Message {} of the mirror's random source (pattern {{\"count\":50}}, seed 10, "
                  "deduplicate 3, randomSeed 7); meta is None, sent as null.".format(i), msg)
        src.close()
        ans = p.command("stop", control("random", "source", "src"))
        assert ans == b"ok", ans
        v.add("answer", "stop-running-source-ok", "Answer to the stop of a running source.", ans)

        ans = p.command("start", control("random", "source", "src2",
                                         {"interval": 0, "pattern": {"count": 50}}))
        v.add("answer", "start-configure-raises-traceback",
              "The symbol's configure raised ValueError: the SDK answers the formatted "
              "traceback (starts with `Traceback`).", ans)

        ans = p.command("start", control("random", "source", None, {"interval": 100}))
        v.add("answer", "start-empty-rule-id-traceback",
              "Source start with empty ruleId/opId: the SDK's check raises a tuple, which "
              "itself fails with TypeError; the answer is that traceback.", ans)

        ans = p.command("start", control("nosuch", "source", "src3"))
        v.add("answer", "start-unknown-symbol-traceback",
              "Start of a symbol the plugin does not define: a KeyError traceback, not "
              "`symbol not found`.", ans)

        ans = p.command("start", control("random", "bogus", "src4"))
        v.add("answer", "start-unknown-plugin-type",
              "Start with a pluginType other than source/sink/func.", ans)

        ans = p.command("stop", control("nosuch", "source", "nokey"))
        v.add("answer", "stop-unknown-key-ok",
              "Stop of a key that is not running: answered `ok` (only logged as a warning).", ans)

        # Sink with acks.
        ack = pull(data_url("sink", "_ack"))
        out_dir = tempfile.mkdtemp(prefix="vecmirror-")
        out_path = os.path.join(out_dir, "out.jsonl")
        ans = p.command("start", control("file", "sink", "sink", {
            "path": out_path, "interval": 100, "requireAck": True}))
        assert ans == b"ok", ans
        push = pynng.Push0(send_timeout=5000)
        push.dial(data_url("sink"), block=True)
        push.send(b'{"count":50}')
        v.add("sink-ack", "ok-after-row",
              "The mirror's file sink acknowledges a buffered row (SDK ack_ok(): literal `{}`).",
              ack.recv())
        push.send(b'[{"a":1},{"a":2}]')
        a2 = ack.recv()
        assert a2 == b"{}", a2
        time.sleep(0.4)
        with open(out_path, "rb") as f:
            note("file sink wrote {!r}".format(f.read()))
        push.close()
        ack.close()
        ans = p.command("stop", control("file", "sink", "sink"))
        assert ans == b"ok", ans
        os.remove(out_path)
        os.rmdir(out_dir)

        ack = pull(data_url("sinkfail", "_ack"))
        ans = p.command("start", control("file", "sink", "sinkfail", {
            "path": "/nonexistent-vecmirror/out.jsonl", "requireAck": True}))
        assert ans == b"ok", ans
        push = pynng.Push0(send_timeout=5000)
        push.dial(data_url("sinkfail"), block=True)
        push.send(b'{"count":50}')
        v.add("sink-ack", "error-unwritable-path",
              "The file sink could not open its file; ack_error(text) sends "
              "json.dumps({'error': text}).", ack.recv())
        push.close()
        ack.close()
        ans = p.command("stop", control("file", "sink", "sinkfail"))
        assert ans == b"ok", ans

        t0 = time.monotonic()
        ans = p.command("start", control("file", "sink", "sinknoack", {"path": "/dev/null"}))
        note("sink start with no ack listener answered after {:.1f} s".format(time.monotonic() - t0))
        v.add("answer", "start-sink-without-ack-listener-traceback",
              "Sink start (requireAck absent) while the host does not listen on the ack "
              "channel: the SDK dials it anyway, retries about 5 s and answers the traceback.",
              ans)

        # Function.
        fn = FuncChannel(ECHO)
        ans = p.command("start", control(ECHO, "func", None))
        assert ans == b"ok", ans
        hs = fn.recv()
        v.add("handshake", "function-handshake",
              "First request on a function channel after the plugin dials it.", hs)
        calls = [
            ("validate-one-arg-ok", "Validate", [1], "Validate with one argument succeeds."),
            ("validate-two-args-fails", "Validate", [1, 2],
             "Validate with two arguments: state false, the symbol's message as result."),
            ("exec-string", "Exec", ["hello", fmeta()], "Exec of echo(\"hello\")."),
            ("exec-object-python-escapes", "Exec",
             [{"b": "<&> \u00e9", "a": [1, 2.5, None, True]}, fmeta()],
             "Exec returning an object (the host sent its keys sorted, Python keeps that "
             "order): spaces after : and ,, non-ASCII escaped as \\u00e9, <&> left as they are."),
            ("is-aggregate", "IsAggregate", None, "IsAggregate of a scalar function."),
            ("unknown-func", "Reset", [], "A func name other than Validate/Exec/IsAggregate."),
            ("exec-no-args", "Exec", [], "Exec with an empty argument list."),
            ("exec-meta-incomplete", "Exec", ["x", go_json({"ruleId": RULE})],
             "Exec whose last argument lacks opId/instanceId/funcId: the message embeds "
             "Python's repr of the decoded dict."),
            ("exec-meta-not-json", "Exec", ["x", "not json"],
             "Exec whose last argument is not JSON: the exception's traceback as result."),
        ]
        for name, func, arg, desc in calls:
            v.add("func-reply", name, desc, fn.call(func, arg))

        # Keepalive: nothing is sent to the plugin; both REQ sockets time out.
        ans = p.command("stop", control("nosuch", "source", "nokey2"))
        assert ans == b"ok", ans
        got: Dict[str, Any] = {}
        threads = [threading.Thread(target=timed_recv, args=(p.rep.recv, got, "control")),
                   threading.Thread(target=timed_recv, args=(fn.rep.recv, got, "func"))]
        t_ctl, t_fn = p.t_last, fn.t_last
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        msg, t_end = got["control"]
        note("control keepalive after {:.2f} s idle: {!r}".format(t_end - t_ctl, msg))
        v.add("handshake", "control-keepalive",
              "Re-sent on the control channel after 5 s without a command (REQ receive "
              "timeout): the same bytes as the first handshake.", msg)
        msg, t_end = got["func"]
        note("function keepalive after {:.2f} s idle: {!r}".format(t_end - t_fn, msg))
        v.add("handshake", "function-keepalive",
              "Re-sent on a function channel after 5 s without a call.", msg)

        # Duplicate function start.
        ans = p.command("start", control(ECHO, "func", None))
        t0 = time.monotonic()
        msg = fn.recv()
        note("duplicate function start answered {!r}; function channel then got {!r} after "
             "{:.2f} s (a second dialer)".format(ans, msg, time.monotonic() - t0))
        reply = fn.call("IsAggregate", None)
        note("after duplicate start, IsAggregate -> {!r}".format(reply))
        ans = p.command("stop", control(ECHO, "func", None))
        note("stop of function echo answered {!r}".format(ans))
        t0 = time.monotonic()
        msg = fn.recv()
        reply = fn.call("Exec", ["still here", fmeta(2)])
        note("after function stop: channel sent {!r} after {:.2f} s, Exec -> {!r}".format(
            msg, time.monotonic() - t0, reply))
        for line in p.log_text().splitlines():
            if "not found" in line or "dialing ipc:///tmp/func" in line:
                note("log: " + line.split(" - ", 2)[-1])

        # SIGTERM.
        p.proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        try:
            rc = p.proc.wait(5)
            note("SIGTERM: exited after {:.2f} s with return code {}".format(
                time.monotonic() - t0, rc))
        except subprocess.TimeoutExpired:
            note("SIGTERM: still running after 5 s")
    finally:
        if fn is not None:
            fn.close()
        p.kill()


def probe_session(v: Vectors, logdir: str) -> None:
    print("probe session ({})".format(PROBE_NAME), flush=True)
    p = Plugin(PROBE_NAME, PROBE_DIR, "probe.py", logdir)
    fn: Optional[FuncChannel] = None
    try:
        p.recv()

        def source_run(op: str, mode: str, count: int, **extra: Any) -> List[bytes]:
            s = pull(data_url(op))
            ans = p.command("start", control("probe", "source", op, {"mode": mode}, **extra))
            assert ans == b"ok", ans
            msgs = [s.recv() for _ in range(count)]
            s.close()
            assert p.command("stop", control("probe", "source", op)) == b"ok"
            return msgs

        [m] = source_run("ds1", "datasource", 1, dataSource="topicA")
        v.add("source-envelope", "datasource-sent-as-dataSource",
              "The probe source emits what configure() got: with the host's spelling "
              "`dataSource` the SDK passes an empty datasource.", m)
        [m] = source_run("ds2", "datasource", 1, datasource="topicB")
        v.add("source-envelope", "datasource-sent-as-datasource",
              "With the key spelled `datasource` the SDK passes it on.", m)
        msgs = source_run("vals", "values", 4)
        for name, desc, m in zip(
                ["meta-object-and-floats", "escapes-and-empty-meta", "message-is-array",
                 "key-order-kept"],
                ["A message with floats, a bool and null, and a meta object.",
                 "Python's json.dumps escapes non-ASCII (\\u00e9, \\u2028, a surrogate pair "
                 "for U+1F600) and leaves <, > and & as they are; meta {} stays {}.",
                 "ctx.emit() with a list as message: the SDK sends it unchanged.",
                 "Keys keep their insertion order (z before a), unlike Go's sorted maps."],
                msgs):
            v.add("source-envelope", name, desc, m)
        [m] = source_run("err", "error", 1)
        v.add("source-envelope", "error-object",
              "ctx.emit_error(text): a JSON object {\"error\": text} (not a JSON string as the "
              "Go SDK sends).", m)

        ack = pull(data_url("psink", "_ack"))
        ans = p.command("start", control("probe", "sink", "psink", {"requireAck": True}))
        assert ans == b"ok", ans
        push = pynng.Push0(send_timeout=5000)
        push.dial(data_url("psink"), block=True)
        for name, row, desc in [
                ("empty-error", '"empty"',
                 "ack_error(\"\"): an error ack with an empty text, which means success."),
                ("error-text", '"disk full"', "ack_error(\"disk full\")."),
                ("error-non-ascii", '"\u00e9chec <x> & y"',
                 "ack_error() with non-ASCII and <&>: Python's escaping."),
        ]:
            push.send(row.encode("utf-8"))
            v.add("sink-ack", name, desc, ack.recv())
        push.close()
        ack.close()
        assert p.command("stop", control("probe", "sink", "psink")) == b"ok"

        fn = FuncChannel(BOOM)
        assert p.command("start", control(BOOM, "func", None)) == b"ok"
        fn.recv()
        for name, func, arg, desc in [
                ("validate-returns-none", "Validate", [1],
                 "A validate() that returns None (not \"\"): the SDK reports failure with a "
                 "null result."),
                ("exec-raises-traceback", "Exec", ["x", fmeta()],
                 "exec() raised RuntimeError: state false, the traceback as result."),
                ("exec-result-not-serialisable", "Exec", ["set", fmeta()],
                 "exec() returned a set: json.dumps fails and the SDK replies with that "
                 "traceback."),
                ("is-aggregate-true", "IsAggregate", None, "IsAggregate of an aggregate function."),
        ]:
            v.add("func-reply", name, desc, fn.call(func, arg))
        fn.close()
        fn = None

        # The host goes away: close the control channel, watch the process.
        p.rep.close()
        t0 = time.monotonic()
        try:
            rc = p.proc.wait(12)
            note("host gone: plugin exited after {:.1f} s, rc {}".format(time.monotonic() - t0, rc))
        except subprocess.TimeoutExpired:
            note("host gone: plugin still running 12 s after the control listener closed")
            p.rep = pynng.Rep0(recv_timeout=8000)
            p.rep.listen("ipc:///tmp/plugin_{}.ipc".format(PROBE_NAME))
            t0 = time.monotonic()
            try:
                msg = p.rep.recv()
                note("host back: plugin re-sent {!r} {:.1f} s after the listener reopened".format(
                    msg, time.monotonic() - t0))
            except pynng.Timeout:
                note("host back: nothing received within 8 s")
    finally:
        if fn is not None:
            fn.close()
        p.kill()


def nohost_observation(logdir: str) -> None:
    print("no-host observation ({})".format(NOHOST_NAME), flush=True)
    log_path = os.path.join(logdir, NOHOST_NAME + ".log")
    with open(log_path, "wb") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-u", "probe.py", PORTABLE_CONFIG], cwd=PROBE_DIR,
                                env=dict(os.environ, PORTABLE_PLUGIN_NAME=NOHOST_NAME),
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(20)
            note("no host listening: plugin exited after {:.1f} s with rc {}".format(
                time.monotonic() - t0, rc))
        except subprocess.TimeoutExpired:
            note("no host listening: plugin still running after 20 s")
            proc.kill()
            proc.wait()
    with open(log_path, "rb") as f:
        for line in f.read().decode("utf-8", "replace").splitlines():
            if "cannot created" in line:
                note("log: " + line.split(" - ", 2)[-1])


def own_sockets() -> List[str]:
    return [s for s in OWN_SOCKETS if os.path.exists(s)] + glob.glob(OWN_SOCKET_GLOB)


def main() -> int:
    busy = own_sockets()
    if busy:
        print("refusing to run: socket files exist (another run or test?): " + " ".join(busy),
              file=sys.stderr)
        return 2
    logdir = tempfile.mkdtemp(prefix="capture-python-")
    v = Vectors()
    try:
        mirror_session(v, logdir)
        probe_session(v, logdir)
        nohost_observation(logdir)
    finally:
        for s in own_sockets():
            os.remove(s)
    v.write()
    keep = os.environ.get("CAPTURE_KEEP_LOGS") == "1"
    if keep:
        print("plugin logs kept in " + logdir)
    else:
        for f in os.listdir(logdir):
            os.remove(os.path.join(logdir, f))
        os.rmdir(logdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
