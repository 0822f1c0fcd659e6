"""Logging topics, the IR dump directory and ``furcate.stats()``.

A leaf module every layer may use (it imports nothing else from furcate).

- ``FURCATE_LOG=topic,topic`` (or ``all``) turns on the loggers
  ``furcate.<topic>`` for: graph, graph_splits, fusion, placement, codegen,
  cache, recompiles, timing, fallback. Off by default.
- ``FURCATE_DUMP_DIR=DIR`` (or ``dump_dir=`` in options, or the CLI's
  ``--dump-dir``) writes, per compiled graph, the captured graph, the IR after
  each pass, kernel sources and a timing breakdown.
- ``stats()`` is what really happened: graphs compiled, ops compiled vs left to
  eager (per op), kernels per target, compile time per stage, cache hits.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

TOPICS = (
    "graph",
    "graph_splits",
    "fusion",
    "placement",
    "codegen",
    "cache",
    "recompiles",
    "timing",
    "fallback",
)

_configured = False
_config_lock = threading.Lock()


def _configure_from_env() -> None:
    global _configured
    with _config_lock:
        if _configured:
            return
        _configured = True
        spec = os.environ.get("FURCATE_LOG", "").strip()
        if spec:
            enable_logging(spec)
        # warnings and fallbacks are always shown once, even without FURCATE_LOG
        base = logging.getLogger("furcate")
        if not base.handlers:
            h = logging.StreamHandler(sys.stderr)
            h.setFormatter(_TopicFormatter())
            base.addHandler(h)
            base.propagate = False
        if base.level == logging.NOTSET:
            base.setLevel(logging.WARNING)


class _TopicFormatter(logging.Formatter):
    def format(self, record):
        topic = record.name.split(".", 1)[1] if "." in record.name else record.name
        return f"[furcate:{topic}] {record.getMessage()}"


def enable_logging(spec: str | list[str]) -> None:
    """Turn on topics: ``"graph,fusion"``, a list, or ``"all"``. Unknown topics raise."""
    topics = spec.split(",") if isinstance(spec, str) else list(spec)
    topics = [t.strip() for t in topics if t.strip()]
    if topics == ["all"]:
        topics = list(TOPICS)
    for t in topics:
        if t not in TOPICS:
            raise ValueError(f"unknown FURCATE_LOG topic {t!r}; valid: {', '.join(TOPICS)}, all")
        logging.getLogger(f"furcate.{t}").setLevel(logging.DEBUG)


def log(topic: str) -> logging.Logger:
    """The logger of one topic (``log("recompiles").info(...)``)."""
    assert topic in TOPICS, topic
    _configure_from_env()
    return logging.getLogger(f"furcate.{topic}")


# --------------------------------------------------------------------------
# stats


class _Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.graphs_compiled = 0
            self.recompiles = 0
            self.ops_compiled: Counter = Counter()
            self.ops_eager: Counter = Counter()
            self.kernels: Counter = Counter()
            self.compile_time: defaultdict = defaultdict(float)
            self.cache_hits = 0
            self.cache_misses = 0
            self.fallbacks: list[str] = []
            self.partitions = 0

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "graphs_compiled": self.graphs_compiled,
                "partitions": self.partitions,
                "recompiles": self.recompiles,
                "ops_compiled": dict(self.ops_compiled),
                "ops_eager": dict(self.ops_eager),
                "kernels": dict(self.kernels),
                "compile_time_s": {k: round(v, 6) for k, v in self.compile_time.items()},
                "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses,
                "fallbacks": list(self.fallbacks),
            }


STATS = _Stats()


def stats(reset: bool = False) -> dict:
    """What furcate did since the last reset: graphs compiled, ops compiled vs left to eager
    (per op name), kernels per target, compile time per stage (seconds), cache hits/misses,
    fallbacks (each a sentence). ``reset=True`` returns the stats and clears them."""
    snap = STATS.snapshot()
    if reset:
        STATS.reset()
    return snap


@contextmanager
def timed(stage: str):
    t0 = time.perf_counter()
    try:
        yield
    finally:
        dt = time.perf_counter() - t0
        with STATS.lock:
            STATS.compile_time[stage] += dt
        if logging.getLogger("furcate.timing").isEnabledFor(logging.DEBUG):
            log("timing").debug("%s: %.2f ms", stage, dt * 1e3)


# --------------------------------------------------------------------------
# dumps

_dump_counter = itertools.count()


class Dumper:
    """Writes one compiled graph's artifacts into ``DIR/NNN_name/``; a no-op without a dir."""

    def __init__(self, root: str | os.PathLike | None, name: str = "graph"):
        root = root if root is not None else os.environ.get("FURCATE_DUMP_DIR") or None
        self.dir: Path | None = None
        self.times: dict[str, float] = {}
        if root:
            root = Path(root)
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise ValueError(f"cannot use dump directory {str(root)!r}: {e.strerror}") from None
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60] or "graph"
            n = next(_dump_counter)
            d = root / f"{os.getpid()}_{n:03d}_{safe}"
            d.mkdir(parents=True, exist_ok=True)
            self.dir = d
        self._step = itertools.count()

    @property
    def enabled(self) -> bool:
        return self.dir is not None

    def write(self, filename: str, text: str) -> None:
        if self.dir is None:
            return
        (self.dir / filename).write_text(text)

    def ir(self, stage: str, text: str) -> None:
        if self.dir is None:
            return
        self.write(f"{next(self._step):02d}_{stage}.mlir", text)

    def finish(self, times: dict[str, float] | None = None) -> None:
        if self.dir is None:
            return
        self.write("timing.json", json.dumps(times or self.times, indent=2))


def copy_stats() -> dict:
    return copy.deepcopy(stats())
