"""A deliberately broken portable plugin, one flaw per manifest.

Each `<name>.json` in this folder runs `<name>.py`, which calls
`main("<name>", "<flaw>")`. Without a flaw this is a small plugin that follows
protocol/PROTOCOL.md: source `tick`, sink `drop`, function `<name>_fn`. The
conformance suite's tests run it with exactly one flaw and assert that the
suite reports the case that flaw breaks, with the right reason.

Standard library + pynng only (no SDK), so the flaws can be anything.
"""

import json
import os
import signal
import sys
import threading
import time

import pynng

FLAWS = {
    "none",  # the baseline: no flaw
    "noshake",  # never sends the handshake
    "garbage",  # answers every command with "yes"
    "hanswer",  # error answers start with "h"
    "badenvelope",  # source items without "message"
    "emitsafterstop",  # source keeps pushing after its stop
    "crashonstop",  # exits on a stop command
    "ignoresterm",  # ignores SIGTERM
    "leaksocket",  # sink keeps its data listener (and its socket file) after the stop
    "badreply",  # function replies are not FuncReplies
    "noack",  # sink dials the ack channel but never acks
    "refuseall",  # answers every command with an error text (refuses even good ones)
    "raiseonstop",  # an uncaught exception on a stop: traceback on stderr, exit status 1
    "wrongtype",  # function declares a number result (functions/<fn>.json) and returns a string from 10 up
}


def log(text):
    sys.stderr.write("broken: %s\n" % text)
    sys.stderr.flush()


class Plugin:
    def __init__(self, name, flaw):
        self.name = name
        self.flaw = flaw
        self.running = {}

    def answer_error(self, text):
        return ("have " + text if self.flaw == "hanswer" else "error: " + text).encode()

    def handle(self, req):
        if self.flaw == "garbage":
            return b"yes"
        if self.flaw == "refuseall":
            return self.answer_error("refused")
        try:
            cmd = json.loads(req)
            ctrl = json.loads(cmd["arg"])
        except Exception as e:  # noqa: BLE001
            return self.answer_error("bad command: %s" % e)
        if cmd.get("cmd") == "start":
            return self.start(ctrl)
        if cmd.get("cmd") == "stop":
            if self.flaw == "crashonstop":
                log("crashing on stop")
                os._exit(3)
            if self.flaw == "raiseonstop":
                raise RuntimeError("deliberate crash on stop")
            return self.stop(ctrl)
        return self.answer_error("unknown command")

    def key(self, ctrl):
        m = ctrl.get("meta") or {}
        return "%s_%s_%s" % (m.get("ruleId", ""), m.get("opId", ""), m.get("instanceId", 0))

    def start(self, ctrl):
        kind, symbol = ctrl.get("pluginType"), ctrl.get("symbolName")
        config = ctrl.get("config") or {}
        m = ctrl.get("meta") or {}
        if kind in ("source", "sink") and (not m.get("ruleId") or not m.get("opId")):
            return self.answer_error("ruleId and opId are required")
        if kind == "source" and symbol == "tick":
            return self.start_source(self.key(ctrl), config)
        if kind == "sink" and symbol == "drop":
            return self.start_sink(self.key(ctrl), config)
        if kind == "func" and symbol == self.name + "_fn":
            if symbol not in self.running:
                self.running[symbol] = self.start_function(symbol)
            return b"ok"
        return self.answer_error("symbol not found: %s %s" % (kind, symbol))

    def stop(self, ctrl):
        if ctrl.get("pluginType") == "func":
            return b"ok"
        item = self.running.pop(self.key(ctrl), None)
        if item is not None:
            item()
        return b"ok"

    def start_source(self, key, config):
        push = pynng.Push0(send_timeout=1000)
        push.dial("ipc:///tmp/%s.ipc" % key, block=True)
        stopped = threading.Event()
        interval = (config.get("interval") or 100) / 1000.0

        def run():
            n = 0
            while self.flaw == "emitsafterstop" or not stopped.is_set():
                n += 1
                item = {"msg": n} if self.flaw == "badenvelope" else {"message": {"n": n}, "meta": None}
                try:
                    push.send(json.dumps(item).encode())
                except pynng.exceptions.NNGException:
                    if stopped.is_set() and self.flaw != "emitsafterstop":
                        return
                time.sleep(interval)

        threading.Thread(target=run, daemon=True).start()

        def stop():
            stopped.set()
            if self.flaw != "emitsafterstop":
                push.close()

        self.running[key] = stop
        return b"ok"

    def start_sink(self, key, config):
        pull = pynng.Pull0(recv_max_size=0)
        pull.listen("ipc:///tmp/%s.ipc" % key)
        ack = pynng.Push0(send_timeout=1000)
        ack.dial("ipc:///tmp/%s_ack.ipc" % key, block=True)
        require_ack = config.get("requireAck") is True

        def run():
            while True:
                try:
                    pull.recv()
                except pynng.exceptions.NNGException:
                    return
                if require_ack and self.flaw != "noack":
                    ack.send(b"{}")

        threading.Thread(target=run, daemon=True).start()

        def stop():
            ack.close()
            if self.flaw != "leaksocket":
                pull.close()

        self.running[key] = stop
        return b"ok"

    def start_function(self, symbol):
        req = pynng.Req0(resend_time=0, recv_timeout=5000)
        req.dial("ipc:///tmp/func_%s.ipc" % symbol, block=True)
        req.send(b"handshake")

        def reply_to(raw):
            if self.flaw == "badreply":
                return b'{"status":"fine"}'
            try:
                call = json.loads(raw)
                func, arg = call["func"], call["arg"]
            except Exception as e:  # noqa: BLE001
                return json.dumps({"state": False, "result": "bad call: %s" % e}).encode()
            if func == "IsAggregate":
                return b'{"state":true,"result":false}'
            if func == "Validate":
                return b'{"state":true,"result":""}'
            if func == "Exec":
                try:
                    ctx = json.loads(arg[-1])
                    assert ctx["ruleId"] and ctx["opId"]
                except Exception:  # noqa: BLE001
                    return b'{"state":false,"result":"invalid function context"}'
                result = arg[0] if len(arg) > 1 else None
                if self.flaw == "wrongtype" and isinstance(result, int):
                    # Twice the argument, as the declared number below 10, as a string from 10 up.
                    result = result * 2 if result < 10 else str(result * 2)
                return json.dumps({"state": True, "result": result}).encode()
            return json.dumps({"state": False, "result": "invalid func %s" % func}).encode()

        def run():
            while True:
                try:
                    raw = req.recv()
                except pynng.exceptions.Timeout:
                    req.send(b"handshake")
                    continue
                except pynng.exceptions.NNGException:
                    return
                req.send(reply_to(raw))

        threading.Thread(target=run, daemon=True).start()
        return run


def main(name, flaw):
    assert flaw in FLAWS, flaw
    if flaw == "ignoresterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Otherwise the default action: a Python handler would never run while the
    # main thread blocks inside nng's recv.
    plugin = Plugin(name, flaw)
    ctl = pynng.Req0(resend_time=0)
    ctl.dial("ipc:///tmp/plugin_%s.ipc" % name, block=True)
    if flaw == "noshake":
        while True:
            time.sleep(60)
    ctl.send(b"handshake")
    while True:
        try:
            req = ctl.recv()
        except pynng.exceptions.NNGException as e:
            log("control channel: %s" % e)
            os._exit(1)
        ctl.send(plugin.handle(req))
