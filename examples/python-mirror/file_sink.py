"""`file`: appends every received row to a file, one JSON document per line.

Configuration:
  path        file to append to (default "cache", relative to the plugin folder)
  interval    milliseconds between two flushes of the buffer (default 1000)
  requireAck  when true, answer every message on the ack channel: {} once the
              rows are buffered, {"error": "..."} when the file cannot be used

A message holding a JSON array is taken as several rows, one line each.
Errors opening or writing the file do not stop the sink: they are logged and,
with requireAck, reported in the acks.
"""

import json
import logging
import threading
from typing import Any, List, Optional

from ekuiper import Context, Sink


class FileSink(Sink):

    def __init__(self):
        self.path = "cache"
        self.interval_ms = 1000
        self.require_ack = False
        self.lock = threading.Lock()
        self.buffer: List[str] = []
        self.file = None
        self.error: Optional[str] = None
        self.stopped = threading.Event()
        self.flusher: Optional[threading.Thread] = None

    def configure(self, conf: dict):
        conf = conf or {}
        path = conf.get("path", self.path)
        if not isinstance(path, str) or path == "":
            raise ValueError("sink `file`: property `path` must be a non-empty string")
        self.path = path
        interval = conf.get("interval", self.interval_ms)
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
            raise ValueError("sink `file`: property `interval` must be a positive number")
        self.interval_ms = interval
        self.require_ack = conf.get("requireAck") is True

    def open(self, ctx: Context):
        try:
            self.file = open(self.path, "a", encoding="utf-8")
        except OSError as e:
            self.error = "cannot open {}: {}".format(self.path, e.strerror or e)
            logging.error("file sink: %s", self.error)
        self.flusher = threading.Thread(target=self._flush_loop, daemon=True)
        self.flusher.start()

    def _flush_loop(self):
        while not self.stopped.wait(self.interval_ms / 1000.0):
            self.flush()

    def flush(self):
        with self.lock:
            lines, self.buffer = self.buffer, []
            if not lines or self.file is None:
                return
            try:
                self.file.write("".join(lines))
                self.file.flush()
            except OSError as e:
                self.error = "cannot write {}: {}".format(self.path, e.strerror or e)
                logging.error("file sink: %s", self.error)

    @staticmethod
    def _lines(data: Any) -> List[str]:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else str(data)
        try:
            decoded = json.loads(text)
        except ValueError:
            return [text + "\n"]
        if isinstance(decoded, list):
            return [json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
                    for row in decoded]
        return [text + "\n"]

    def collect(self, ctx: Context, data: Any):
        with self.lock:
            error = self.error
            if error is None:
                self.buffer.extend(self._lines(data))
        if self.require_ack:
            if error is None:
                ctx.ack_ok()
            else:
                ctx.ack_error(error)

    def close(self, ctx: Context):
        self.stopped.set()
        self.flush()
        with self.lock:
            if self.file is not None:
                self.file.close()
                self.file = None
