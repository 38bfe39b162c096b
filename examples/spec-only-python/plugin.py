#!/usr/bin/env python3
"""specfn: a minimal portable plugin with two functions, written from
protocol/PROTOCOL.md alone (no SDK). Standard library + pynng only.

Functions:
  upper(x)        -> str(x).upper()            (Validate: exactly one argument)
  add(a, b, ...)  -> a + b + ...               (Validate: >= 1 argument, all numbers)
Both answer IsAggregate with false.

Section numbers in comments refer to PROTOCOL.md.

Environment (NOT part of the protocol, §3.2 "the protocol defines no
variables"; for tests only):
  PORTABLE_PLUGIN_NAME   plugin name (default "specfn"); names the control
                         channel /tmp/plugin_<name>.ipc (§2.7, §6)
  SPECFN_UPPER_SYMBOL    symbol name of the upper function (default "upper")
  SPECFN_ADD_SYMBOL      symbol name of the add function (default "add")
  SPECFN_CONTROL_KEEPALIVE  "0" switches the control-channel keepalive off
                         (§5.2 "An SDK SHOULD let its user switch [it] off")
The socket folder is not configurable: §2.7 says all socket files live in
/tmp and the folder "is not configurable in version 1".
"""

import json
import math
import os
import signal
import sys
import threading
import time
from decimal import Decimal

import pynng

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

SOCKET_DIR = "/tmp"  # §2.7: hard-coded in version 1
HANDSHAKE = b"handshake"  # §4.2.1, version 1 form (§10.3)
OK = b"ok"  # §4.2.3
KEEPALIVE_MS = 5000  # §5.2: K = 5 s, RECOMMENDED
HOST_GONE_GRACE_S = 10.0  # §3.4: exit if control cannot be re-established within 10 s
DIAL_RETRY_TOTAL_S = 5.0  # §2.6: retry a failed first dial for at least 5 s
SUPPORTED_VERSIONS = [1]  # §10.3

PLUGIN_NAME = os.environ.get("PORTABLE_PLUGIN_NAME") or "specfn"
UPPER = os.environ.get("SPECFN_UPPER_SYMBOL") or "upper"
ADD = os.environ.get("SPECFN_ADD_SYMBOL") or "add"
CONTROL_KEEPALIVE = os.environ.get("SPECFN_CONTROL_KEEPALIVE", "1") != "0"


def log(level, text):
    # §3.4: one record per line, stdout or stderr; no format is prescribed.
    line = "%s %s [%s] %s" % (time.strftime("%H:%M:%S"), PLUGIN_NAME, level, text)
    sys.stderr.write(line.replace("\n", "\\n") + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# JSON dialect (§4.1)
# ---------------------------------------------------------------------------


class EncodeError(Exception):
    """PORTABLE_E_ENCODE (§9.2)."""


class DecodeError(Exception):
    """PORTABLE_E_DECODE (§9.2): text is `<kind>.<field>: <detail>`."""

    def __init__(self, kind, field, detail):
        self.kind, self.field, self.detail = kind, field, detail
        text = "%s.%s: %s" % (kind, field, detail) if field else "%s: %s" % (kind, detail)
        super().__init__(text)


def _escape_string(s):
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif cp < 0x20:
            out.append("\\u%04x" % cp)
        elif ch == "<":
            out.append("\\u003c")
        elif ch == ">":
            out.append("\\u003e")
        elif ch == "&":
            out.append("\\u0026")
        elif cp == 0x2028:
            out.append("\\u2028")
        elif cp == 0x2029:
            out.append("\\u2029")
        elif 0xD800 <= cp <= 0xDFFF:
            out.append("\ufffd")  # unpaired surrogate -> U+FFFD
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_number(x):
    """ECMAScript Number.prototype.toString of a double (§4.1), `-0` for
    negative zero."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        raise EncodeError("non-finite number %r has no JSON form" % x)
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest digits that read back as the same double.
    t = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(str(d) for d in t.digits)
    k = len(digits)
    n = t.exponent + k  # value = 0.digits * 10^n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        esign = "+" if e >= 0 else "-"
        mant = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = "%se%s%d" % (mant, esign, abs(e))
    return sign + body


def encode_user(v):
    """User data: keys sorted by code point, Go encoding/json dialect."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        try:
            return format_number(v)  # numbers in user data are doubles (§4.1)
        except OverflowError:
            raise EncodeError("number too large")
    if isinstance(v, str):
        return _escape_string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(encode_user(i) for i in v) + "]"
    if isinstance(v, dict):
        items = []
        for k in sorted(v.keys()):
            if not isinstance(k, str):
                raise EncodeError("object key %r is not a string" % (k,))
            items.append(_escape_string(k) + ":" + encode_user(v[k]))
        return "{" + ",".join(items) + "}"
    raise EncodeError("value of type %s is not JSON" % type(v).__name__)


def _no_constants(name):
    raise ValueError("%s is not JSON" % name)


def parse_json(raw):
    """Decode bytes or str as RFC 8259 JSON; NaN/Infinity refused (§4.1)."""
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", errors="replace")
    return json.loads(raw, parse_constant=_no_constants)


def lookup(obj, key, kind, path, aliases=()):
    """§4.1 key matching: exact, then aliases, then case-insensitive."""
    if key in obj:
        return True, obj[key]
    for a in aliases:
        if a in obj:
            log("WARN", "quirk at %s%s: alias %r" % (path, key, a))
            return True, obj[a]
    low = key.lower()
    for k in obj:
        if isinstance(k, str) and k.lower() == low:
            log("WARN", "quirk key-case at %s%s: %r" % (path, key, k))
            return True, obj[k]
    return False, None


def _type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "the string %s" % json.dumps(v)
    if isinstance(v, list):
        return "an array"
    return "an object"


def get_string(obj, key, kind, path, required=False, aliases=()):
    found, v = lookup(obj, key, kind, path, aliases)
    if not found or v is None:
        if required:
            raise DecodeError(kind, path + key, "required key is missing")
        return ""
    if not isinstance(v, str):
        raise DecodeError(kind, path + key, "expected a string, got %s" % _type_name(v))
    return v


def get_int(obj, key, kind, path, minimum=None):
    found, v = lookup(obj, key, kind, path)
    if not found or v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DecodeError(kind, path + key, "expected an integer, got %s" % _type_name(v))
    if isinstance(v, float):
        if not v.is_integer():
            raise DecodeError(kind, path + key, "expected an integer, got %r" % v)
        v = int(v)
    if minimum is not None and v < minimum:
        raise DecodeError(kind, path + key, "expected an integer >= %d, got %d" % (minimum, v))
    return v


def get_object(obj, key, kind, path):
    found, v = lookup(obj, key, kind, path)
    if not found or v is None:
        return None
    if not isinstance(v, dict):
        raise DecodeError(kind, path + key, "expected an object, got %s" % _type_name(v))
    return v


# ---------------------------------------------------------------------------
# Control channel messages (§4.2, §4.3)
# ---------------------------------------------------------------------------


def decode_command(raw):
    """Returns (cmd, control dict). Raises DecodeError (kind Command)."""
    kind = "Command"
    try:
        obj = parse_json(raw)
    except ValueError as e:
        raise DecodeError(kind, "", "not JSON: %s" % e)
    if not isinstance(obj, dict):
        raise DecodeError(kind, "", "expected an object, got %s" % _type_name(obj))
    cmd = get_string(obj, "cmd", kind, "", required=True)
    if cmd not in ("start", "stop"):
        raise DecodeError(kind, "cmd", "invalid command %s" % json.dumps(cmd))
    found, arg = lookup(obj, "arg", kind, "")
    if not found or arg is None:
        raise DecodeError(kind, "arg", "required key is missing")
    if not isinstance(arg, str):
        raise DecodeError(kind, "arg", "expected a string, got %s" % _type_name(arg))
    try:
        c = parse_json(arg)
    except ValueError as e:
        raise DecodeError(kind, "arg", "not JSON: %s" % e)
    if not isinstance(c, dict):
        raise DecodeError(kind, "arg", "expected an object, got %s" % _type_name(c))
    p = "arg."
    control = {
        "symbolName": get_string(c, "symbolName", kind, p, required=True),
        "pluginType": get_string(c, "pluginType", kind, p, required=True),
        "dataSource": get_string(c, "dataSource", kind, p, aliases=("datasource",)),
        "config": get_object(c, "config", kind, p) or {},
    }
    meta = get_object(c, "meta", kind, p)  # absent/null -> zero Meta (§4.3)
    mp = p + "meta."
    control["meta"] = {
        "ruleId": get_string(meta, "ruleId", kind, mp) if meta else "",
        "opId": get_string(meta, "opId", kind, mp) if meta else "",
        "instanceId": get_int(meta, "instanceId", kind, mp, minimum=0) if meta else 0,
    }
    return cmd, control


def answer_text(text):
    """§4.2.3: a failure text is non-empty, not `ok`, never starts with `h`."""
    if not text or text == "ok" or text.startswith("h"):
        text = "error: " + text
    b = text.encode("utf-8", errors="replace")
    if len(b) > 4000:  # SHOULD be shorter than 4 KiB
        b = b[:4000].decode("utf-8", errors="ignore").encode("utf-8")
    return b


# ---------------------------------------------------------------------------
# Functions (§4.6)
# ---------------------------------------------------------------------------


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def upper_validate(args):
    if len(args) != 1:
        return False, "%s function only supports 1 parameter but got %d" % (UPPER, len(args))
    return True, ""


def upper_exec(args, ctx):
    if len(args) != 1:
        return False, "%s function only supports 1 parameter but got %d" % (UPPER, len(args))
    v = args[0]
    s = v if isinstance(v, str) else encode_user(v)
    return True, s.upper()


def add_validate(args):
    if len(args) < 1:
        return False, "%s function needs at least 1 parameter" % ADD
    for i, a in enumerate(args):
        if not _is_number(a):
            return False, "%s function parameter %d is not a number" % (ADD, i + 1)
    return True, ""


def add_exec(args, ctx):
    ok, msg = add_validate(args)
    if not ok:
        return False, msg
    total = 0.0
    for a in args:
        total += float(a)
    return True, total


FUNCTIONS = {
    UPPER: (upper_validate, upper_exec, False),
    ADD: (add_validate, add_exec, False),
}


def encode_reply(state, result):
    """FuncReply (§4.6.3): keys state, result; result is user data."""
    try:
        body = encode_user(result)
    except EncodeError as e:
        state, body = False, _escape_string("cannot encode result: %s" % e)
    return ('{"state":%s,"result":%s}' % ("true" if state else "false", body)).encode("utf-8")


def decode_func_meta(text, path):
    kind = "FuncCall"
    try:
        m = parse_json(text)
    except ValueError as e:
        raise DecodeError(kind, path, "function context is not JSON: %s" % e)
    if not isinstance(m, dict):
        raise DecodeError(kind, path, "function context is %s, not an object" % _type_name(m))
    p = path + "."
    return {
        # §4.6.2 (as revised): absent keys take empty values; accept them.
        "ruleId": get_string(m, "ruleId", kind, p),
        "opId": get_string(m, "opId", kind, p),
        "instanceId": get_int(m, "instanceId", kind, p),
        "funcId": get_int(m, "funcId", kind, p),
    }


class FunctionChannel:
    """One function symbol: REQ socket dialed to /tmp/func_<symbol>.ipc."""

    def __init__(self, symbol, plugin):
        self.symbol = symbol
        self.plugin = plugin
        self.url = "ipc://%s/func_%s.ipc" % (SOCKET_DIR, symbol)
        self.contexts = {}  # §4.6.2: per <ruleId>_<opId>_<instanceId>_<funcId>
        self.sock = None
        self.thread = None

    def open(self):
        """Dial and send the first handshake (§5.1, Appendix A.4). Raises."""
        self.sock = new_req_socket(KEEPALIVE_MS)
        dial_with_retry(self.sock, self.url, self.plugin.stop_event)
        send_request(self.sock, HANDSHAKE, self.plugin.stop_event)
        self.thread = threading.Thread(target=self.loop, name="func-" + self.symbol, daemon=True)
        self.thread.start()

    def loop(self):
        sock = self.sock
        while not self.plugin.stop_event.is_set():
            try:
                msg = sock.recv()
            except (pynng.Timeout, pynng.BadState):
                # §5.2 keepalive: a fresh handshake cancels the old request.
                if not send_request(sock, HANDSHAKE, self.plugin.stop_event):
                    return
                continue
            except pynng.Closed:
                return
            except pynng.NNGException as e:
                if self.plugin.stop_event.is_set():
                    return
                log("WARN", "function %s: receive failed: %s" % (self.symbol, e))
                if not send_request(sock, HANDSHAKE, self.plugin.stop_event):
                    return
                continue
            reply = self.handle(msg)
            if not send_request(sock, reply, self.plugin.stop_event):
                return

    def handle(self, raw):
        try:
            return self._handle(raw)
        except DecodeError as e:
            return encode_reply(False, str(e))
        except Exception as e:  # §4.6.3: never let an exception end the channel
            return encode_reply(False, "%s: %s" % (type(e).__name__, e))

    def _handle(self, raw):
        kind = "FuncCall"
        try:
            obj = parse_json(raw)
        except ValueError as e:
            raise DecodeError(kind, "", "not JSON: %s" % e)
        if not isinstance(obj, dict):
            raise DecodeError(kind, "", "expected an object, got %s" % _type_name(obj))
        func = get_string(obj, "func", kind, "", required=True)
        found, arg = lookup(obj, "arg", kind, "")
        if arg is None:
            arg = []
        if not isinstance(arg, list):
            raise DecodeError(kind, "arg", "expected an array or null, got %s" % _type_name(arg))
        validate, execute, is_agg = FUNCTIONS[self.symbol]
        if func == "Validate":
            ok, res = validate(arg)
            return encode_reply(ok, res)
        if func == "Exec":
            if len(arg) == 0:
                raise DecodeError(kind, "arg", "Exec needs the function context as last element")
            last = arg[-1]
            path = "arg[%d]" % (len(arg) - 1)
            if not isinstance(last, str):
                raise DecodeError(kind, path, "expected the function context string, got %s" % _type_name(last))
            meta = decode_func_meta(last, path)
            key = "%s_%s_%d_%d" % (meta["ruleId"], meta["opId"], meta["instanceId"], meta["funcId"])
            ctx = self.contexts.setdefault(key, {})
            ok, res = execute(arg[:-1], ctx)
            return encode_reply(ok, res)
        if func == "IsAggregate":
            return encode_reply(True, bool(is_agg))
        return encode_reply(False, "invalid func %s" % func)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except Exception:
                pass


# ---------------------------------------------------------------------------
# Sockets
# ---------------------------------------------------------------------------


def new_req_socket(recv_timeout_ms):
    # §2.3: resend time 0 on control and function channels.
    # §2.5: no receive size limit (0 = unlimited in NNG).
    return pynng.Req0(
        resend_time=0,
        recv_timeout=recv_timeout_ms,
        send_timeout=KEEPALIVE_MS,
        recv_max_size=0,
    )


def dial_with_retry(sock, url, stop_event):
    """§2.6: retry a failed first dial for at least 5 s, 100 ms doubling,
    at most 1 s between tries; log each failure at debug level."""
    delay = 0.1
    deadline = time.monotonic() + DIAL_RETRY_TOTAL_S
    while True:
        try:
            sock.dial(url, block=True)
            return
        except pynng.NNGException as e:
            if stop_event.is_set():
                raise
            if time.monotonic() >= deadline:
                raise
            log("DEBUG", "dial %s failed (%s), retrying in %.1fs" % (url, e, delay))
            if stop_event.wait(delay):
                raise
            delay = min(delay * 2, 1.0)


def send_request(sock, data, stop_event):
    """Send one REQ request; retry on a send timeout (no connection). Returns
    False when the socket is closed or the plugin is stopping."""
    while not stop_event.is_set():
        try:
            sock.send(data)
            return True
        except pynng.Timeout:
            log("WARN", "send timed out (no host connection?), retrying")
            continue
        except pynng.Closed:
            return False
        except pynng.NNGException as e:
            if stop_event.is_set():
                return False
            log("WARN", "send failed (%s), retrying" % e)
            stop_event.wait(0.1)
    return False


# ---------------------------------------------------------------------------
# Plugin
# ---------------------------------------------------------------------------


class Plugin:
    def __init__(self):
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.functions = {}  # symbol -> FunctionChannel
        self.control = None
        self.control_url = "ipc://%s/plugin_%s.ipc" % (SOCKET_DIR, PLUGIN_NAME)
        self.exit_code = 0

    # -- control channel ---------------------------------------------------

    def control_loop(self):
        sock = self.control
        try:
            if not send_request(sock, HANDSHAKE, self.stop_event):
                return
            while not self.stop_event.is_set():
                try:
                    msg = sock.recv()
                except (pynng.Timeout, pynng.BadState):
                    if not send_request(sock, HANDSHAKE, self.stop_event):
                        return
                    continue
                except pynng.Closed:
                    return
                except pynng.NNGException as e:
                    if self.stop_event.is_set():
                        return
                    log("WARN", "control: receive failed: %s" % e)
                    if not send_request(sock, HANDSHAKE, self.stop_event):
                        return
                    continue
                answer = self.handle_command(msg)
                if not send_request(sock, answer, self.stop_event):
                    return
        except Exception as e:
            if self.stop_event.is_set():
                return
            log("ERROR", "control loop failed: %s: %s" % (type(e).__name__, e))
            self.exit_code = 1
            self.stop_event.set()

    def handle_command(self, raw):
        try:
            cmd, control = decode_command(raw)
        except DecodeError as e:
            log("WARN", "bad command: %s" % e)
            return answer_text(str(e))
        sym, ptype = control["symbolName"], control["pluginType"]
        log("INFO", "%s %s %s" % (cmd, ptype, sym))
        if cmd == "start":
            if ptype == "func" and sym in FUNCTIONS:
                return self.start_function(sym)
            # §4.3: unknown pluginType, or symbol not offered for that type.
            return answer_text("symbol not found: %s %s" % (ptype, sym))
        # stop (§4.3): func -> ok, keeps running; nothing else ever runs here,
        # and stop is idempotent -> ok.
        return OK

    def start_function(self, sym):
        with self.lock:
            if sym in self.functions:
                return OK  # §4.3: already running: ok, nothing else
            if self.stop_event.is_set():
                return answer_text("plugin is stopping")
            fc = FunctionChannel(sym, self)
            try:
                fc.open()
            except Exception as e:
                fc.close()
                return answer_text("cannot open function channel %s: %s" % (fc.url, e))
            self.functions[sym] = fc
            return OK

    # -- main --------------------------------------------------------------

    def run(self):
        ka = KEEPALIVE_MS if CONTROL_KEEPALIVE else None
        self.control = new_req_socket(ka)
        try:
            dial_with_retry(self.control, self.control_url, self.stop_event)
        except pynng.NNGException as e:
            self.control.close()
            if self.stop_event.is_set():
                return 0
            # §3.4: started by hand with no host listening.
            sys.stderr.write(
                "%s: this program is a portable plugin and must be started by a host "
                "(no listener on %s: %s)\n" % (PLUGIN_NAME, self.control_url, e)
            )
            return 1
        log("INFO", "connected to %s" % self.control_url)
        t = threading.Thread(target=self.control_loop, name="control", daemon=True)
        t.start()

        gone_since = None
        while not self.stop_event.wait(0.25):
            # §3.4: exit when the control connection is closed and cannot be
            # re-established within 10 s (NNG redials by itself).
            try:
                connected = len(self.control.pipes) > 0
            except Exception:
                connected = True
            now = time.monotonic()
            if connected:
                gone_since = None
            elif gone_since is None:
                gone_since = now
                log("WARN", "control connection lost; waiting up to %ds" % HOST_GONE_GRACE_S)
            elif now - gone_since >= HOST_GONE_GRACE_S:
                log("INFO", "host has gone; exiting")
                break
        self.shutdown()
        t.join(2.0)
        return self.exit_code

    def shutdown(self):
        self.stop_event.set()
        with self.lock:
            fcs = list(self.functions.values())
        for fc in fcs:
            fc.close()
        for fc in fcs:
            if fc.thread is not None:
                fc.thread.join(2.0)
        try:
            self.control.close()
        except Exception:
            pass


def parse_portable_config(argv):
    """§3.1 PortableConfig; §10.3 version choice. Exits on fatal errors."""
    cfg = {}
    if len(argv) >= 2 and argv[1].strip() != "":
        try:
            cfg = parse_json(argv[1])
        except ValueError as e:
            sys.stderr.write("%s: PortableConfig: not JSON: %s\n" % (PLUGIN_NAME, e))
            sys.exit(1)
        if not isinstance(cfg, dict):
            sys.stderr.write("%s: PortableConfig: expected a JSON object\n" % PLUGIN_NAME)
            sys.exit(1)
    try:
        send_timeout = get_int(cfg, "sendTimeout", "PortableConfig", "") or 1000
    except DecodeError as e:
        sys.stderr.write("%s: %s\n" % (PLUGIN_NAME, e))
        sys.exit(1)
    offered = cfg.get("protocolVersions")
    version = 1
    if isinstance(offered, list) and offered and all(
        isinstance(v, int) and not isinstance(v, bool) for v in offered
    ):
        common = [v for v in offered if v in SUPPORTED_VERSIONS]
        if not common:
            sys.stderr.write(
                "%s: no common protocol version: host offers %s, plugin speaks %s\n"
                % (PLUGIN_NAME, json.dumps(offered, separators=(",", ":")),
                   json.dumps(SUPPORTED_VERSIONS, separators=(",", ":")))
            )
            sys.exit(2)
        version = max(common)
    return send_timeout, version


def main():
    send_timeout, version = parse_portable_config(sys.argv)
    # sendTimeout applies to PUSH sockets (§3.1); a function-only plugin has none.
    log("INFO", "starting, protocol version %d, sendTimeout %dms" % (version, send_timeout))
    plugin = Plugin()

    def on_signal(signum, frame):
        plugin.stop_event.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = plugin.run()
    log("INFO", "exit %d" % code)
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(code)  # threads and sockets are closed; skip pynng finalizers


if __name__ == "__main__":
    main()
