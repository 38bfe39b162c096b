"""Test-only plugin for capture.py: makes the Python SDK send what the mirror
example never sends (source errors, metadata, awkward values, odd acks, failing
functions). Not an example; never packaged.

Symbols:
  source `probe`   config.mode selects what it emits once, then it idles:
                   "datasource": the datasource and config the SDK handed over
                   "values":     a list of messages with meta, special characters,
                                 floats, a list message
                   "error":      one error through the SDK's emit_error
  sink `probe`     acks every message according to its text: "ok" -> ack_ok,
                   "empty" -> ack_error(""), anything else -> ack_error(text)
  func `vecboom`   validate returns None; exec raises, or returns a set when the
                   first argument is "set" (not JSON serialisable)
"""

import json
import os
import threading

from ekuiper import Context, Function, PluginConfig, Sink, Source, plugin


class ProbeSource(Source):

    def __init__(self):
        self.datasource = None
        self.conf = None
        self.stopped = threading.Event()

    def configure(self, datasource, conf):
        self.datasource = datasource
        self.conf = conf

    def open(self, ctx: Context):
        mode = (self.conf or {}).get("mode")
        if mode == "datasource":
            ctx.emit({"datasource": self.datasource, "config": self.conf}, None)
        elif mode == "values":
            ctx.emit({"temperature": 21.5, "humidity": 1.0, "ok": True, "none": None},
                     {"topic": "sensors/a", "qos": 1})
            ctx.emit({"text": "<a & b> \u00e9 \u2028 \U0001F600 \"q\" \\ /"}, {})
            ctx.emit([{"id": 1}, {"id": 2}], None)
            ctx.emit({"z": 1, "a": {"y": 2, "b": 3}}, None)
        elif mode == "error":
            ctx.emit_error("probe failure: <bad> & \"quoted\"")
        self.stopped.wait()

    def close(self, ctx: Context):
        self.stopped.set()


class ProbeSink(Sink):

    def configure(self, conf):
        pass

    def open(self, ctx: Context):
        pass

    def collect(self, ctx: Context, data):
        text = json.loads(data)
        if text == "ok":
            ctx.ack_ok()
        elif text == "empty":
            ctx.ack_error("")
        else:
            ctx.ack_error(str(text))

    def close(self, ctx: Context):
        pass


class BoomFunction(Function):

    def validate(self, args):
        return None

    def exec(self, args, ctx):
        if args and args[0] == "set":
            return {1}
        raise RuntimeError("boom")

    def is_aggregate(self):
        return True


if __name__ == "__main__":
    plugin.start(PluginConfig(
        os.environ.get("PORTABLE_PLUGIN_NAME") or "vecprobe",
        sources={"probe": ProbeSource},
        sinks={"probe": ProbeSink},
        functions={"vecboom": BoomFunction},
    ))
