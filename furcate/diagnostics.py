"""Logging topics, the IR dump directory and ``furcate.stats()``.

A leaf module every layer may use (it imports nothing else from furcate).

- ``FURCATE_LOG=topic,topic`` (or ``all``) turns on the loggers
  ``furcate.<topic>`` for: graph, graph_splits, fusion, placement, codegen,
  cache, recompiles, timing, fallback. Off by default.
- ``FURCATE_DUMP_DIR=DIR`` (or ``dump_dir=`` in options, or the CLI's
  ``--dump-dir``) writes, per compiled graph, the captured graph, the IR after
  each pass, kernel sources and a timing breakdown.
- ``stats()`` is what really happened: graphs compiled, ops compiled vs left to
  eager (per op), kernels per target, compile time per stage, cache hits, eager
  and backend fallbacks (``record_eager_fallback`` / ``record_backend_fallback``).

A graph's dump directory holds ``captured.txt`` (the frontend's FX graph or
jaxpr), ``NN_<stage>.mlir`` (the IR after each pass), the kernel sources the
backends write (``dump_kernel``), ``executable.txt``, ``timing.json`` (the
compile time per stage), ``log.txt`` (every log record of every topic emitted
while the graph compiled, whatever ``FURCATE_LOG`` says), ``stats.json``,
``meta.json`` and, when it failed, ``error.txt``. ``furcate report DIR`` turns
it into one HTML page.
"""

from __future__ import annotations

import contextvars
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
_enabled: set[str] = set()  # topics FURCATE_LOG / enable_logging show on stderr


def _configure_from_env() -> None:
    global _configured
    with _config_lock:
        if _configured:
            return
        _configured = True
        base = logging.getLogger("furcate")
        if not base.handlers:
            # warnings (fallbacks) are always shown once; other records only for enabled topics
            h = logging.StreamHandler(sys.stderr)
            h.setFormatter(_TopicFormatter())
            h.addFilter(_shown_on_stderr)
            base.addHandler(h)
            base.addHandler(_DumpLogHandler())
            base.propagate = False
        if base.level == logging.NOTSET:
            base.setLevel(logging.WARNING)
    spec = os.environ.get("FURCATE_LOG", "").strip()
    if spec:
        topics, unknown = _parse_topics(spec)
        enable_logging(topics)
        if unknown:  # a typo in the environment must not break compiling: say so and go on
            logging.getLogger("furcate").warning(
                "FURCATE_LOG: unknown topic(s) %s ignored; valid: %s, all", ", ".join(unknown), ", ".join(TOPICS))


def _topic(record: logging.LogRecord) -> str:
    return record.name.split(".", 1)[1] if "." in record.name else record.name


def _shown_on_stderr(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or _topic(record) in _enabled


class _TopicFormatter(logging.Formatter):
    def format(self, record):
        head = "furcate" if record.name == "furcate" else f"furcate:{_topic(record)}"
        return f"[{head}] {record.getMessage()}"


def _parse_topics(spec: str | list[str]) -> tuple[list[str], list[str]]:
    """(known topics, unknown names) of ``"graph,fusion"``, a list, or ``"all"``."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [t.strip() for t in names if t.strip()]
    if "all" in names:
        return list(TOPICS), [t for t in names if t != "all" and t not in TOPICS]
    return [t for t in names if t in TOPICS], [t for t in names if t not in TOPICS]


def enable_logging(spec: str | list[str]) -> None:
    """Turn on topics: ``"graph,fusion"``, a list, or ``"all"``. Unknown topics raise."""
    topics, unknown = _parse_topics(spec)
    if unknown:
        raise ValueError(f"unknown FURCATE_LOG topic(s) {', '.join(map(repr, unknown))}; "
                         f"valid: {', '.join(TOPICS)}, all")
    _configure_from_env()
    for t in topics:
        _enabled.add(t)
        logging.getLogger(f"furcate.{t}").setLevel(logging.DEBUG)


def _record_every_topic() -> None:
    """Let every topic's debug records through (a dump's ``log.txt`` holds them all);
    stderr still shows only the enabled topics and warnings."""
    _configure_from_env()
    for t in TOPICS:
        lg = logging.getLogger(f"furcate.{t}")
        if lg.level == logging.NOTSET or lg.level > logging.DEBUG:
            lg.setLevel(logging.DEBUG)


class _DumpLogHandler(logging.Handler):
    """Appends each record to the log of the dump being written in this thread, if any."""

    def emit(self, record):
        d = _current.get()
        if d is not None and d.dir is not None:
            try:
                d.log_lines.append(f"{_topic(record)}\t{record.levelname.lower()}\t{record.getMessage()}")
            except Exception:  # noqa: BLE001 - a bad format string must not break compiling
                self.handleError(record)


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
            self.aten_ops_compiled: Counter = Counter()  # the torch frontend's ATen ops, by ops_eager's names
            self.kernels: Counter = Counter()
            self.compile_time: defaultdict = defaultdict(float)
            self.cache_hits = 0
            self.cache_misses = 0
            self.eager_fallbacks: list[str] = []  # the frontend left ops to the framework
            self.backend_fallbacks: list[str] = []  # an op ran on another backend inside the program
            self.partitions = 0
            self.freeze: Counter = Counter()  # torch inference freezing: graphs, inputs, folds, unfreezes
            self.aot_passthrough = 0  # torch inference graphs called without AOTAutograd's runtime wrapper

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "graphs_compiled": self.graphs_compiled,
                "partitions": self.partitions,
                "recompiles": self.recompiles,
                "ops_compiled": dict(self.ops_compiled),
                "ops_eager": dict(self.ops_eager),
                "aten_ops_compiled": dict(self.aten_ops_compiled),
                "kernels": dict(self.kernels),
                "compile_time_s": {k: round(v, 6) for k, v in self.compile_time.items()},
                "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses,
                "eager_fallbacks": list(self.eager_fallbacks),
                "backend_fallbacks": list(self.backend_fallbacks),
                "freeze": dict(self.freeze),
                "aot_passthrough": self.aot_passthrough,
            }


STATS = _Stats()


def stats(reset: bool = False) -> dict:
    """What furcate did since the last reset: graphs compiled, ops compiled vs left to eager
    (per op name), kernels per target, compile time per stage (seconds), cache hits/misses,
    and two kinds of fallback, each a sentence: ``eager_fallbacks`` (the frontend left an op
    to the framework, e.g. eager PyTorch) and ``backend_fallbacks`` (an op of the compiled
    program ran on another backend, e.g. numpy, because the chosen one cannot run it).
    ``reset=True`` returns the stats and clears them."""
    snap = STATS.snapshot()
    if reset:
        STATS.reset()
    return snap


def record_eager_fallback(sentence: str) -> None:
    """Note that the frontend left an op to the framework (``stats()['eager_fallbacks']``)."""
    with STATS.lock:
        STATS.eager_fallbacks.append(sentence)


def record_backend_fallback(sentence: str) -> None:
    """Note that an op of a compiled program runs on another backend than the one chosen
    (``stats()['backend_fallbacks']``), e.g. "furcate.gather runs on numpy: ..."."""
    with STATS.lock:
        STATS.backend_fallbacks.append(sentence)


@contextmanager
def timed(stage: str):
    """Add the time spent in the block to ``stats()['compile_time_s'][stage]`` (and to the
    timing breakdown of the graph being dumped, if any)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        dt = time.perf_counter() - t0
        with STATS.lock:
            STATS.compile_time[stage] += dt
        d = _current.get()
        if d is not None:
            d.stages[stage] = d.stages.get(stage, 0.0) + dt
        if logging.getLogger("furcate.timing").isEnabledFor(logging.DEBUG):
            log("timing").debug("%s: %.2f ms", stage, dt * 1e3)


# --------------------------------------------------------------------------
# dumps

_dump_counter = itertools.count()
_current: contextvars.ContextVar["Dumper | None"] = contextvars.ContextVar("furcate_dumper", default=None)


class Dumper:
    """Writes one compiled graph's artifacts into ``DIR/<pid>_NNN_name/``; a no-op without a dir.

    ``DIR`` is ``root`` or ``$FURCATE_DUMP_DIR``. While ``active()``, the graph's log records,
    ``timed`` stages and ``dump_kernel`` sources go to this dumper (per thread)."""

    def __init__(self, root: str | os.PathLike | None, name: str = "graph"):
        root = root if root is not None else os.environ.get("FURCATE_DUMP_DIR") or None
        self.dir: Path | None = None
        self.times: dict[str, float] = {}
        self.stages: dict[str, float] = {}
        self.log_lines: list[str] = []
        self.meta: dict = {"name": name, "pid": os.getpid(), "started": time.time()}
        if root:
            root = Path(root)
            if root.exists() and not root.is_dir():
                raise ValueError(f"cannot use dump directory {str(root)!r}: it is a file, not a directory")
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60] or "graph"
            d = root / f"{os.getpid()}_{next(_dump_counter):03d}_{safe}"
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise ValueError(f"cannot use dump directory {str(root)!r}: {e.strerror or e}") from None
            self.dir = d
            _record_every_topic()
        self._step = itertools.count()

    @property
    def enabled(self) -> bool:
        return self.dir is not None

    @contextmanager
    def active(self):
        """Route this thread's log records, ``timed`` stages and ``dump_kernel`` calls here;
        an exception escaping the block is written to ``error.txt``."""
        token = _current.set(self if self.enabled else None)
        try:
            yield self
        except BaseException as e:
            if self.enabled:
                self.write("error.txt", f"{type(e).__name__}: {e}\n")
                self._write_log()
            raise
        finally:
            _current.reset(token)

    def write(self, filename: str, text: str) -> None:
        if self.dir is None:
            return
        try:
            (self.dir / filename).write_text(text)
        except OSError as e:
            raise ValueError(f"cannot write {filename!r} into dump directory {str(self.dir)!r}: "
                             f"{e.strerror or e}") from None

    def constants(self, arrays: dict) -> None:
        """The program's named constants (weights) as ``constants.npz``, so ``furcate run
        NN_input.mlir --constants constants.npz`` re-runs the dump (bf16 arrays are stored
        as NumPy stores them, 2-byte void; ``furcate run`` reads them back as bf16)."""
        if self.dir is None or not arrays:
            return
        import numpy as np

        try:
            with open(self.dir / "constants.npz", "wb") as f:
                np.savez(f, **{k: np.asarray(v) for k, v in arrays.items()})
        except OSError as e:
            raise ValueError(f"cannot write 'constants.npz' into dump directory {str(self.dir)!r}: "
                             f"{e.strerror or e}") from None

    def ir(self, stage: str, text: str) -> None:
        """The IR after ``stage`` (``input``, then each pass), numbered in order."""
        if self.dir is None:
            return
        self.write(f"{next(self._step):02d}_{stage}.mlir", text)

    def captured(self, text) -> None:
        """The frontend's captured graph (FX graph, jaxpr): text, or a function returning it."""
        if self.dir is None or text is None:
            return
        self.write("captured.txt", text() if callable(text) else str(text))

    def kernel(self, filename: str, source: str) -> None:
        """One kernel's source as the backend generated it (``fc_main_0.c``, ``k0.py``...)."""
        if self.dir is None:
            return
        self.write(re.sub(r"[^A-Za-z0-9_.-]", "_", filename), source)

    def _write_log(self) -> None:
        self.write("log.txt", "".join(line + "\n" for line in self.log_lines))

    def finish(self, times: dict[str, float] | None = None, **meta) -> None:
        """Write ``timing.json`` (``times`` plus the ``timed`` stages), ``meta.json``,
        ``stats.json`` and ``log.txt``."""
        if self.dir is None:
            return
        timing = dict(times or self.times)
        timing["stages"] = {k: round(v, 6) for k, v in self.stages.items()}
        self.write("timing.json", json.dumps(timing, indent=2))
        self.meta.update(meta)
        self.write("meta.json", json.dumps(self.meta, indent=2, default=str))
        self.write("stats.json", json.dumps(stats(), indent=2))
        self._write_log()


def current_dumper() -> Dumper | None:
    """The dumper of the graph this thread is compiling, when dumping is on."""
    return _current.get()


def dump_kernel(filename: str, source: str) -> None:
    """Write a generated kernel's source into the current graph's dump (no-op when not dumping).
    Backends call this; no dumper needs to be passed down."""
    d = _current.get()
    if d is not None:
        d.kernel(filename, source)


def fusion_summary(module) -> list[str]:
    """One line per top-level ``furcate.fusion`` of a module: kind, device and the ops inside."""
    lines = []
    for func in module.ops:
        for op in func.regions[0].block.ops if func.regions else ():
            if op.name != "furcate.fusion":
                continue
            inner = Counter(o.name.removeprefix("furcate.") for o in op.regions[0].block.ops
                            if o.name != "furcate.yield")
            kind, dev = op.properties["kind"].data, op.properties["device"].data
            ops = ", ".join(f"{k}" + (f" x{n}" if n > 1 else "") for k, n in inner.items())
            lines.append(f"fusion {kind} on {dev}: {len(op.operands)} in, {len(op.results)} out: {ops}")
    return lines
