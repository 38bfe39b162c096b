"""`random`: emits a copy of a pattern object whose numeric fields are randomised.

Configuration (from sources/random.yaml, or the rule's options):
  interval     milliseconds between two messages (positive integer, required)
  pattern      object template, e.g. {"count": 50}; every numeric field becomes
               int(value) + a random integer in [0, seed)
  seed         exclusive upper bound of the random offset (positive, default 1:
               with 1 the output always equals the pattern)
  deduplicate  0: off; N > 0: skip a value equal to one of the last N emitted;
               N < 0: skip any value emitted before
  format       only "json" is accepted (default)
  randomSeed   optional, seeds the generator so the sequence is reproducible
               (an addition of this example; the Go example has no equivalent)

Fields of the pattern that are not numbers are left out of the output.
"""

import json
import random
import threading
from collections import deque
from typing import Any, Dict, Optional

from ekuiper import Context, Source


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive_int(conf: Dict[str, Any], key: str, default: Optional[int]) -> int:
    value = conf.get(key, default)
    if value is None:
        raise ValueError("source `random`: property `{}` is required".format(key))
    if not _is_number(value) or int(value) != value or value <= 0:
        raise ValueError(
            "source `random`: property `{}` must be a positive integer, got {!r}".format(key, value))
    return int(value)


class RandomSource(Source):

    def __init__(self):
        self.interval_ms = 1000
        self.seed = 1
        self.pattern: Dict[str, Any] = {}
        self.deduplicate = 0
        self.rng = random.Random()
        self.recent: deque = deque()
        self.seen: set = set()
        self.stopped = threading.Event()

    def configure(self, datasource: str, conf: dict):
        conf = conf or {}
        self.interval_ms = _positive_int(conf, "interval", None)
        self.seed = _positive_int(conf, "seed", 1)
        pattern = conf.get("pattern")
        if not isinstance(pattern, dict):
            raise ValueError("source `random`: property `pattern` must be an object")
        self.pattern = pattern
        dedup = conf.get("deduplicate", 0)
        if not _is_number(dedup) or int(dedup) != dedup:
            raise ValueError(
                "source `random`: property `deduplicate` must be an integer, got {!r}".format(dedup))
        self.deduplicate = int(dedup)
        fmt = conf.get("format", "json")
        if not isinstance(fmt, str) or fmt.lower() != "json":
            raise ValueError("source `random`: only the `json` format is supported")
        if "randomSeed" in conf:
            self.rng = random.Random(conf["randomSeed"])

    def next_value(self) -> Dict[str, int]:
        out = {}
        for key, value in self.pattern.items():
            if _is_number(value):
                out[key] = int(value) + self.rng.randrange(self.seed)
        return out

    def is_duplicate(self, value: Dict[str, int]) -> bool:
        """Records value and reports whether it was already seen in the window."""
        if self.deduplicate == 0:
            return False
        key = json.dumps(value, sort_keys=True, separators=(",", ":"))
        if key in self.seen:
            return True
        self.seen.add(key)
        if self.deduplicate > 0:
            self.recent.append(key)
            if len(self.recent) > self.deduplicate:
                self.seen.discard(self.recent.popleft())
        return False

    def open(self, ctx: Context):
        # Runs on the SDK's source thread until close() is called; emitting after
        # the host closed the data channel raises, which ends the thread.
        while not self.stopped.wait(self.interval_ms / 1000.0):
            value = self.next_value()
            if self.is_duplicate(value):
                continue
            ctx.emit(value, None)

    def close(self, ctx: Context):
        self.stopped.set()
