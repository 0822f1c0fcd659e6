"""``furcate report DIR``: one self-contained HTML page from a dump directory.

The page has no scripts and loads nothing: inline CSS, inline SVG, text in
``<pre>`` blocks behind ``<details>``. All of its HTML is generated here, never
pasted: a dump directory is input anyone could have written, so every string
read from it is escaped, numbers are parsed (``_num``), and the placement
picture is parsed and re-rendered from an allow-list (``report_svg``). It shows, for the whole dump, the
compiled graphs, how the frontend split them and why (ops left to eager, with
the reason), and per graph: the fused groups (what became one kernel, on which
device), the placement (when several devices were in play), each kernel's
source, the compile time per stage, the IR after each pass, the frontend's
captured graph, the executable's steps and the log records of the compile.
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

from furcate.tools.dump import DumpError, GraphDump, load_dump, ops_in
from furcate.tools.report_svg import placement_svg

CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.5em}h2{border-bottom:2px solid #4e79a7;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;
vertical-align:top}th{background:#f0f3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f9;border:1px solid #ddd;padding:.6em;overflow:auto;max-height:40em;font-size:12px}
.bar{background:#4e79a7;height:.8em;display:inline-block}.warn{color:#b03a2e}.muted{color:#777}
.tag{display:inline-block;border-radius:3px;padding:0 .4em;color:#fff;font-size:.85em}
nav a{margin-right:1em}summary{cursor:pointer}
"""
KIND_COLOUR = {"pointwise": "#59a14f", "reduction": "#f28e2b", "gemm": "#b07aa1", "op": "#888"}


def e(text) -> str:
    return html.escape(str(text), quote=True)


def _num(v) -> float:
    """A number read from a dump file (JSON may hold anything): 0.0 unless it is a finite number."""
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def _ms(s) -> str:
    return f"{_num(s) * 1e3:.2f}"


def _pre(text: str, summary: str, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary>{e(summary)}</summary><pre>{e(text)}</pre></details>"


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table of already-escaped cells (``numeric`` columns are right-aligned)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _gid(i: int) -> str:
    return f"g{i}"


# --------------------------------------------------------------------------
# sections


def overview(graphs: list[GraphDump]) -> str:
    rows = []
    for i, g in enumerate(graphs):
        groups = _safe_groups(g)
        kernels = len(g.kernels)
        status = f'<span class="warn">failed: {e(g.error.strip())}</span>' if g.error else "ok"
        rows.append([f'<a href="#{_gid(i)}">{e(g.name)}</a>', e(g.target), e(g.meta.get("ops", "?")),
                     str(len(groups) if groups is not None else "?"), str(kernels),
                     _ms(g.timing.get("total_s", 0.0)), status])
    return ('<h2 id="overview">Compiled graphs</h2>'
            + _table(["graph", "target", "ops", "groups", "kernel files", "compile ms", "status"], rows, {2, 3, 4, 5}))


def split_instances(graphs: list[GraphDump]) -> list[tuple[str, list[str]]]:
    """(whole graph name, its partitions' names) per split compile, in compile order. The torch
    frontend names a split graph's partitions ``<name>_fused_<i>``, each ``i`` once per split:
    a repeated ``i`` under the same name starts the next compile of that graph."""
    out: list[tuple[str, list[str]]] = []
    current: dict[str, tuple[list[str], set[str]]] = {}
    for g in graphs:
        m = re.match(r"^(.*?)_fused_(\d+)$", g.name)
        if not m:
            continue
        whole, i = m.groups()
        if whole not in current or i in current[whole][1]:
            current[whole] = ([], set())
            out.append((whole, current[whole][0]))
        current[whole][0].append(g.name)
        current[whole][1].add(i)
    return out


def splits(graphs: list[GraphDump]) -> str:
    """Which graphs are parts of a split one, and why ops were left out (stats + log)."""
    instances = split_instances(graphs)
    eager_reasons, backend_reasons, eager = [], [], Counter()
    for g in graphs:
        for key, reasons in (("eager_fallbacks", eager_reasons), ("backend_fallbacks", backend_reasons)):
            listed = g.stats.get(key, [])
            for r in (listed if isinstance(listed, list) else [listed]):
                r = str(r)
                if r not in reasons:
                    reasons.append(r)
        counts = g.stats.get("ops_eager", {})
        eager = eager | Counter({str(k): int(_num(v)) for k, v in (counts.items() if isinstance(counts, dict) else ())})
    lines = [line for g in graphs for line in g.log_lines("graph_splits", "fallback", "recompiles")]
    out = ['<h2 id="splits">Graph splits and why</h2>']
    if not instances and not eager_reasons and not backend_reasons and not lines:
        out.append("<p>No graph was split: every captured graph compiled whole, nothing was left to eager "
                   "or to another backend.</p>")
    times = Counter(whole for whole, _ in instances)
    seen: Counter = Counter()
    for whole, names in instances:
        seen[whole] += 1
        nth = f" (compile {seen[whole]} of {times[whole]})" if times[whole] > 1 else ""
        out.append(f"<p>Graph <b>{e(whole)}</b>{e(nth)} was split: {len(names)} partition(s) compiled by "
                   f"furcate ({e(', '.join(names))}); the ops between them run in eager PyTorch.</p>")
    if eager:
        out.append("<h3>Ops left to eager</h3>" + _table(
            ["op", "count"], [[e(k), str(v)] for k, v in eager.most_common()], {1}))
    if eager_reasons:
        out.append("<h3>Why</h3><ul>" + "".join(f"<li>{e(r)}</li>" for r in eager_reasons) + "</ul>")
    if backend_reasons:
        out.append("<h3>Ops run on another backend</h3><ul>"
                   + "".join(f"<li>{e(r)}</li>" for r in backend_reasons) + "</ul>")
    if lines:
        out.append(_pre("\n".join(dict.fromkeys(lines)), f"log: graph_splits, fallback, recompiles ({len(lines)})"))
    return "".join(out)


def _safe_groups(g: GraphDump):
    try:
        return g.groups()
    except DumpError:
        return None


def fused_groups(g: GraphDump) -> str:
    try:
        groups = g.groups()
    except DumpError as err:
        return f'<h3>Fused groups</h3><p class="warn">{e(err)}</p>'
    if not groups:
        return "<h3>Fused groups</h3><p class=muted>no IR in this dump</p>"
    kinds = Counter(gr.kind for gr in groups)
    ran_on = g.run_on()  # the one device (and target) that ran every step, when there is one
    rows = []
    for k, gr in enumerate(groups):
        colour = KIND_COLOUR.get(gr.kind, "#4e79a7")
        ops = ", ".join(f"{n}" + (f" ×{c}" if c > 1 else "") for n, c in gr.ops.items())
        device = ran_on if gr.device in ("default", "-") and ran_on else gr.device
        rows.append([str(k), f'<span class="tag" style="background:{colour}">{e(gr.kind)}</span>', e(device),
                     e(ops), e(", ".join(gr.inputs)), e(", ".join(gr.outputs))])
    summary = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    return (f"<h3>Fused groups</h3><p>{len(groups)} group(s) after the passes: {e(summary)}. "
            "Each fusion is one kernel; an unfused op is a kernel (or a library call) of its own.</p>"
            + _table(["#", "kind", "device", "ops", "inputs", "outputs"], rows, {0}))


def placement(g: GraphDump) -> str:
    if not g.placement_text:
        devices = sorted({dev for _name, dev, tgt in g.steps() if tgt != "transfer"})
        where = ", ".join(devices) if devices else g.target
        return f"<h3>Placement</h3><p>One device: everything runs on {e(where)}.</p>"
    svg = placement_svg(g.placement_html)  # parsed and re-rendered from an allow-list, never pasted
    parts = "".join(_pre(text, f"{name}: the sub-program one backend compiled") for name, text in g.parts)
    return ("<h3>Placement</h3>" + svg
            + _pre(g.placement_text, "placement decisions (per group: device, estimated times, reason)", True)
            + (f"<h3>Per-device sub-programs ({len(g.parts)})</h3>" + parts if parts else ""))


def kernels(g: GraphDump) -> str:
    if not g.kernels:
        why = ("numpy runs each op directly" if g.target == "numpy"
               else "it does not write them with diagnostics.dump_kernel")
        return f"<h3>Kernels</h3><p class=muted>the {e(g.target)} backend wrote no kernel sources ({why})</p>"
    out = [f"<h3>Kernels ({len(g.kernels)} file(s))</h3>"]
    for name, text, size in g.kernels:
        if text is None:
            out.append(f"<p>{e(name)}: {int(size)} bytes (binary, too large or not a regular file: not shown)</p>")
        else:
            out.append(_pre(text, f"{name} ({text.count(chr(10))} lines)"))
    return "".join(out)


def timings(g: GraphDump) -> str:
    t = g.timing
    if not t:
        return "<h3>Compile time</h3><p class=muted>no timing.json</p>"
    total = _num(t.get("total_s", 0.0))
    raw = t.get("stages", {})
    stages = {str(k): _num(v) for k, v in (raw.items() if isinstance(raw, dict) else ())}
    rows = []
    widest = max([total, *stages.values()], default=0.0) or 1.0
    for stage, s in [*stages.items(), ("total", total)]:
        bar = f'<span class="bar" style="width:{max(1, int(300 * max(s, 0.0) / widest))}px"></span>'
        rows.append([e(stage), _ms(s), bar])
    known = _num(t.get("passes_s", 0.0)) + _num(t.get("codegen_s", 0.0))
    note = (f"<p>passes {_ms(t.get('passes_s', 0))} ms, code generation {_ms(t.get('codegen_s', 0))} ms, "
            f"other (dumping, verification, first imports) {_ms(max(0.0, total - known))} ms. "
            "Nested stages (a backend's compile inside codegen) are counted in both.</p>")
    return "<h3>Compile time</h3>" + note + _table(["stage", "ms", ""], rows, {1})


def passes(g: GraphDump) -> str:
    if not g.stages:
        return ""
    rows, before = [], None
    for stage, text in g.stages:
        ops = ops_in(text)
        n = sum(ops.values())
        delta = "" if before is None else f"{n - before:+d}"
        rows.append([e(stage), str(n), delta, str(ops.get("fusion", 0))])
        before = n
    blocks = "".join(_pre(text, f"IR after {stage}") for stage, text in g.stages)
    return ("<h3>IR after each pass</h3>" + _table(["stage", "ops", "change", "fusions"], rows, {1, 2, 3})
            + blocks)


def graph_section(i: int, g: GraphDump) -> str:
    head = (f'<h2 id="{_gid(i)}">{e(g.name)} <span class="muted">→ {e(g.target)}</span></h2>'
            f"<p class=muted>{e(g.dir)}</p>")
    if g.error:
        head += f'<p class="warn">Compilation failed: {e(g.error.strip())}</p>'
    parts = [head, fused_groups(g), placement(g), kernels(g), timings(g), passes(g)]
    if g.captured:
        parts.append("<h3>Captured graph</h3>" + _pre(g.captured, "as the frontend captured it"))
    if g.executable:
        parts.append("<h3>Executable</h3>" + _pre(g.executable, "steps (kernel, device, slots)"))
    if g.log:
        parts.append("<h3>Log</h3>" + _pre("\n".join(g.log_lines()), f"{len(g.log_lines())} record(s), every topic"))
    return "<section>" + "".join(parts) + "</section>"


def render(graphs: list[GraphDump], title: str = "furcate report") -> str:
    """The report page of ``graphs`` (``load_dump``'s result)."""
    nav = "".join(f'<a href="#{_gid(i)}">{e(g.name)}</a>' for i, g in enumerate(graphs))
    body = [f"<h1>{e(title)}</h1>", f'<nav><a href="#overview">overview</a><a href="#splits">splits</a>{nav}</nav>',
            overview(graphs), splits(graphs), *(graph_section(i, g) for i, g in enumerate(graphs))]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n")


def write_report(dump_dir: str | Path, out: str | Path | None = None) -> tuple[Path, int]:
    """Render the dump in ``dump_dir`` to ``out`` (default ``DIR/report.html``);
    returns the page's path and the number of graphs in it."""
    graphs = load_dump(dump_dir)
    path = Path(out) if out is not None else Path(dump_dir) / "report.html"
    page = render(graphs, f"furcate report: {Path(dump_dir).resolve().name}")
    try:
        _replace(path, page.encode("utf-8"))
    except OSError as err:
        raise DumpError(f"cannot write the report to {str(path)!r}: {err.strerror or err}") from None
    return path, len(graphs)


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` through a new file renamed over it: a ``report.html`` that a dump
    holds as a symbolic link (to ``~/.bashrc``, say) is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # as a plain open() would create it
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["render", "write_report", "load_dump", "DumpError"]
