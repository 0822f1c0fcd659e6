"""Reading a dump directory (``FURCATE_DUMP_DIR`` / ``--dump-dir``) back.

A dump root holds one directory per compiled graph (``<pid>_<NNN>_<name>``,
written by ``diagnostics.Dumper``); ``load_dump`` accepts the root or one graph
directory and returns a ``GraphDump`` per graph, in the order they compiled.
``part_NN_<device>.mlir`` files are the per-device sub-programs of a placed graph
(``compiler.compose``). Everything else in a graph directory that is not one of the
driver's own files is a kernel source a backend wrote (``.c``, Triton ``.py``,
``.stablehlo.mlir``...).

A dump directory is input anyone could have written: only regular files are
read (a symbolic link — to ``~/.ssh/id_rsa``, say — or a FIFO is listed, never
opened or followed), JSON files must hold objects, and nothing read here is
ever executed or imported.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_STAGE = re.compile(r"^(\d+)_(.+)\.mlir$")
_PART = re.compile(r"^part_\d+_.+\.mlir$")
# an executable.txt step line: "  <kernel name> on <device> (<target>): [in] -> [out]"
_STEP = re.compile(r"^  (.+) on (\S+) \(([^)]+)\): ")
_OWN = {"captured.txt", "executable.txt", "timing.json", "meta.json", "stats.json", "log.txt",
        "placement.txt", "placement.html", "error.txt", "report.html", "constants.npz"}
MAX_KERNEL_BYTES = 2_000_000  # larger files are listed, not inlined


class DumpError(ValueError):
    """A dump directory that cannot be read, or holds no furcate dump."""


@dataclass
class Group:
    """One top-level op of the final IR: a ``furcate.fusion`` (one kernel) or a single op."""

    label: str  # "fusion" or the op name without "furcate."
    kind: str  # fusion kind, or "op"
    device: str
    ops: Counter  # op names inside (the op itself for a single op)
    inputs: list[str]
    outputs: list[str]


@dataclass
class GraphDump:
    """What the driver and the backends wrote for one compiled graph."""

    dir: Path
    name: str
    stages: list[tuple[str, str]] = field(default_factory=list)  # (stage, IR text), in order
    kernels: list[tuple[str, str | None, int]] = field(default_factory=list)  # (file, text or None, bytes)
    parts: list[tuple[str, str]] = field(default_factory=list)  # (file, IR text) per device of a placed graph
    captured: str | None = None
    executable: str | None = None
    timing: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    log: str = ""
    placement_text: str | None = None
    placement_html: str | None = None
    error: str | None = None
    _groups: list[Group] | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        return str(self.meta.get("target", "?"))

    def log_lines(self, *topics: str) -> list[str]:
        """Log records (``topic\\tlevel\\tmessage``, messages may span lines) of ``topics``."""
        records, cur = [], None
        for line in self.log.splitlines():
            head = line.split("\t", 2)
            if len(head) == 3 and re.fullmatch(r"[a-z_]+", head[0]) and head[1] in (
                    "debug", "info", "warning", "error", "critical"):
                cur = [head[0], head[1], head[2]]
                records.append(cur)
            elif cur is not None:
                cur[2] += "\n" + line
        return [f"[{t}] {m}" for t, _lvl, m in records if not topics or t in topics]

    def steps(self) -> list[tuple[str, str, str]]:
        """(kernel name, device, target) of each step of ``executable.txt``."""
        return [m.groups() for m in map(_STEP.match, (self.executable or "").splitlines()) if m]

    def run_on(self) -> str | None:
        """``device (target)`` when every compute step ran on one device, the targets joined
        with ``+`` where a backend left part of the program to another (``cpu (c+numpy)``)."""
        ran = {(dev, tgt) for _name, dev, tgt in self.steps() if tgt != "transfer"}
        devices = {dev for dev, _ in ran}
        if len(devices) != 1:
            return None
        return f"{devices.pop()} ({'+'.join(sorted(tgt for _, tgt in ran))})"

    def groups(self) -> list[Group]:
        """The top-level groups of the last IR stage (what became kernels); parsed once."""
        if self._groups is None:
            self._groups = groups_of(self.stages[-1][1]) if self.stages else []
        return self._groups


def ops_in(text: str) -> Counter:
    """furcate op names (without the prefix) in IR text, ``yield`` excluded."""
    return Counter(m for m in re.findall(r"\bfurcate\.([a-z_]+)\b", text) if m != "yield")


def groups_of(ir_text: str) -> list[Group]:
    from furcate.ir.program import IRError, parse_ir
    from furcate.ir.types import spec_of_type

    try:
        module = parse_ir(ir_text, "<dump>")
    except IRError as e:
        raise DumpError(f"the dumped IR does not parse: {e}") from None
    out = []
    for func in module.ops:
        for op in func.regions[0].block.ops if func.regions else ():
            if not op.name.startswith("furcate.") or op.name in ("furcate.constant", "furcate.constant_ref"):
                continue
            ins = [str(spec_of_type(v.type)) for v in op.operands]
            outs = [str(spec_of_type(v.type)) for v in op.results]
            if op.name == "furcate.fusion":
                inner = Counter(o.name.removeprefix("furcate.") for o in op.regions[0].block.ops
                                if o.name != "furcate.yield")
                out.append(Group("fusion", op.properties["kind"].data, op.properties["device"].data, inner, ins, outs))
            else:
                dev = op.attributes.get("device") or op.properties.get("device")
                short = op.name.removeprefix("furcate.")
                out.append(Group(short, "op", dev.data if dev is not None else "-", Counter({short: 1}), ins, outs))
    return out


def is_graph_dir(d: Path) -> bool:
    return d.is_dir() and ((d / "timing.json").exists() or (d / "meta.json").exists()
                           or any(_STAGE.match(p.name) for p in d.iterdir()))


def _is_plain_file(p: Path) -> bool:
    """A regular file, not a symbolic link (which is never followed) nor a FIFO or device."""
    try:
        return stat.S_ISREG(os.lstat(p).st_mode)
    except OSError:
        return False


def _read_bytes(p: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without following a symbolic link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(p, flags)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise DumpError(f"cannot read {str(p)!r}: not a regular file")
            return f.read(-1 if limit is None else limit + 1)
    except OSError as e:
        raise DumpError(f"cannot read {str(p)!r}: {e.strerror or e}") from None


def _read(p: Path) -> str:
    return _read_bytes(p).decode("utf-8", errors="replace")


def _json(p: Path) -> dict:
    if not _is_plain_file(p):
        return {}
    try:
        data = json.loads(_read(p))
    except json.JSONDecodeError as e:
        raise DumpError(f"{str(p)!r} is not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from None
    except RecursionError:
        raise DumpError(f"{str(p)!r} is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise DumpError(f"{str(p)!r} is not a furcate dump file: expected a JSON object, got {type(data).__name__}")
    return data


def _started(g: GraphDump) -> float:
    try:
        return float(g.meta.get("started", 0.0))
    except (TypeError, ValueError, OverflowError):
        return 0.0


def load_graph(d: Path) -> GraphDump:
    meta = _json(d / "meta.json")
    name = meta.get("name") or re.sub(r"^\d+_\d+_", "", d.name)
    g = GraphDump(dir=d, name=str(name), meta=meta, timing=_json(d / "timing.json"), stats=_json(d / "stats.json"))
    stages = []
    for p in sorted(d.rglob("*")):  # rglob does not descend into symbolic links to directories
        if p.is_dir() and not p.is_symlink():
            continue
        rel = str(p.relative_to(d))
        if not _is_plain_file(p):  # a symbolic link, FIFO, socket or device: listed, never opened
            if rel not in _OWN:
                g.kernels.append((rel, None, 0))
            continue
        m = _STAGE.match(rel)
        if m:
            stages.append((int(m.group(1)), m.group(2), _read(p)))
        elif _PART.match(rel):
            g.parts.append((rel, _read(p)))
        elif rel not in _OWN:
            data = _read_bytes(p, MAX_KERNEL_BYTES)
            text = None if len(data) > MAX_KERNEL_BYTES or b"\0" in data else data.decode(errors="replace")
            g.kernels.append((rel, text, p.lstat().st_size))
    g.stages = [(stage, text) for _, stage, text in sorted(stages)]
    for attr, fname in (("captured", "captured.txt"), ("executable", "executable.txt"), ("error", "error.txt"),
                        ("placement_text", "placement.txt"), ("placement_html", "placement.html")):
        if _is_plain_file(d / fname):
            setattr(g, attr, _read(d / fname))
    if _is_plain_file(d / "log.txt"):
        g.log = _read(d / "log.txt")
    return g


def load_dump(path: str | Path) -> list[GraphDump]:
    """Every graph of a dump root (or the one graph of a graph directory), oldest first."""
    root = Path(path)
    if not root.exists():
        raise DumpError(f"cannot read dump directory {str(path)!r}: no such directory")
    if not root.is_dir():
        raise DumpError(f"cannot read dump directory {str(path)!r}: it is a file, not a directory")
    try:
        if is_graph_dir(root):
            dirs = [root]
        else:
            dirs = [d for d in root.iterdir() if not d.is_symlink() and is_graph_dir(d)]  # links not followed
    except OSError as e:
        raise DumpError(f"cannot read dump directory {str(path)!r}: {e.strerror or e}") from None
    if not dirs:
        raise DumpError(f"{str(path)!r} holds no furcate dump: no graph directories with NN_<stage>.mlir or "
                        "timing.json (write one with FURCATE_DUMP_DIR=DIR or --dump-dir DIR)")

    graphs = [load_graph(d) for d in dirs]
    return sorted(graphs, key=lambda g: (_started(g), g.dir.name))
