"""The Python bench plugin, on eKuiper's `ekuiper` SDK (the .venv of
scripts/setup-peers.sh). Same symbols and rows as the TypeScript one
(bench/plugins/ts/src/main.ts):

  source benchsource  props count, size: emits `count` rows of `size` bytes
                      as fast as ctx.emit allows, then idles until closed
  sink   benchsink    props notify (a Unix socket path), requireAck: decodes
                      every message, acks it when asked; on a row holding
                      `__end` writes the count of rows before it as a line to
                      `notify`, and restarts
  func   benchecho    returns its first argument

The SDK fixes the socket folder to /tmp and keys the function channel by
symbol alone (/tmp/func_benchecho.ipc): a name no other test uses. The plugin
name comes from PORTABLE_PLUGIN_NAME, which the bench sets per install.
"""

import json
import os
import socket
import threading
from typing import Any, List

from ekuiper import Context, Function, PluginConfig, Sink, Source, plugin

SKELETON = 23  # len('{"id":1000000,"pad":""}')
END_MARK = "__end"


class BenchSource(Source):

    def __init__(self):
        self.count = 0
        self.pad = ""
        self.stopped = threading.Event()

    def configure(self, datasource: str, conf: dict):
        conf = conf or {}
        self.count = int(conf.get("count", 0))
        self.pad = "x" * max(0, int(conf.get("size", 100)) - SKELETON)

    def open(self, ctx: Context):
        pad = self.pad
        for i in range(self.count):
            if self.stopped.is_set():
                return
            ctx.emit({"id": 1000000 + (i % 8000000), "pad": pad}, None)
        self.stopped.wait()

    def close(self, ctx: Context):
        self.stopped.set()


class BenchSink(Sink):

    def __init__(self):
        self.notify = ""
        self.ack = False
        self.seen = 0
        self.conn = None

    def configure(self, conf: dict):
        conf = conf or {}
        self.notify = conf.get("notify", "")
        self.ack = conf.get("requireAck") is True

    def open(self, ctx: Context):
        pass

    def collect(self, ctx: Context, data: Any):
        row = json.loads(data)
        if isinstance(row, dict) and END_MARK in row:
            if self.conn is None:
                self.conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.conn.connect(self.notify)
            self.conn.sendall("{}\n".format(self.seen).encode())
            self.seen = 0
        else:
            self.seen += 1
        if self.ack:
            ctx.ack_ok()

    def close(self, ctx: Context):
        if self.conn is not None:
            self.conn.close()


class BenchEcho(Function):

    def validate(self, args: List[Any]) -> str:
        return ""

    def exec(self, args: List[Any], ctx: Context) -> Any:
        return args[0] if args else None

    def is_aggregate(self) -> bool:
        return False


if __name__ == "__main__":
    plugin.start(PluginConfig(
        os.environ.get("PORTABLE_PLUGIN_NAME") or "benchpy",
        sources={"benchsource": BenchSource},
        sinks={"benchsink": BenchSink},
        functions={"benchecho": BenchEcho},
    ))
