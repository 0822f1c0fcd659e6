"""Explaining a placement: a text report and a self-contained HTML picture.

``report(plan)`` lists, per unit, the device chosen, the estimated time on
every device (``-`` where it cannot run, ``*`` marks a device ruled out by a
pin or by memory capacity), the transfers it reads and the reason; then the
transfers, the memory used per device, and the plan's total against the
all-on-one-device plans (and, where both fuse ⇄ place strategies were tried,
their totals). ``html(plan)`` draws the unit graph as inline SVG: one
``<g class="unit" data-name=... data-device=...>`` box per group coloured by
device, program inputs and outputs as grey ``io`` boxes, data flow as
``<line class="edge">`` and transfers as thick red dashed
``<line class="edge transfer">``.
"""

from __future__ import annotations

import html as _html

# the fuse <-> place strategies (``place_fuse.place_and_fuse``), in reports' words
STRATEGIES = {"groups": "fused groups placed whole", "ops": "ops placed, then fused per device"}
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7", "#9c755f"]


def fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    if t >= 1:
        return f"{t:.3g} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} us"


def fmt_bytes(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} B"


def report(plan) -> str:
    """The text report of ``plan`` (a ``place.Plan``)."""
    devs = plan.machine.names
    lines = ["placement on " + ", ".join(str(dev) for dev in plan.machine.devices)]
    w = max([len(dec.label) for dec in plan.decisions] + [5])
    wd = max([len(dec.device) + 1 for dec in plan.decisions] + [10])  # a long device name is never cut
    wc = max([len(dv) + 2 for dv in devs] + [12])
    header = f"  {'group':<{w}}  {'device':<{wd}}" + "".join(f"{dv:>{wc}}" for dv in devs) + f"{'transfer in':>13}  reason"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for dec in plan.decisions:
        cells = []
        for dv in devs:
            mark = "*" if dv in dec.excluded and dec.times.get(dv) is not None else ""
            cells.append(f"{fmt_time(dec.times.get(dv)) + mark:>{wc}}")
        lines.append(f"  {dec.label:<{w}}  {dec.device:<{wd}}{''.join(cells)}{fmt_time(dec.transfer_in or None):>13}"
                     f"  {dec.reason}: {dec.detail}")
    lines.append("  (* = ruled out: pinned elsewhere or over capacity; - = cannot run there)")
    if plan.transfers:
        lines.append(f"transfers ({len(plan.transfers)}):")
        for t in plan.transfers:
            lines.append(f"  {t.value}: {t.src} -> {t.dst}  {fmt_bytes(t.nbytes)}  {fmt_time(t.seconds)}")
    else:
        lines.append("transfers: none")
    lines.append("memory: " + ", ".join(
        f"{dv} {fmt_bytes(plan.memory[dv])} of {fmt_bytes(plan.machine[dv].spec.memory)}" for dv in devs))
    lines.append(f"estimated total: {fmt_time(plan.total_s)} (compute {fmt_time(plan.compute_s)}, "
                 f"transfers {fmt_time(plan.transfer_s)})")
    if len(plan.alternatives) > 1:
        tried = "; ".join(f"{STRATEGIES[k]}: {fmt_time(v)}" for k, v in plan.alternatives.items())
        lines.append(f"  fuse <-> place: {tried} -> kept {STRATEGIES[plan.strategy]}")
    for dv in devs:
        t = plan.single.get(dv)
        if t is None:
            lines.append(f"  all on {dv}: impossible ({plan.single_why[dv]})")
        else:
            lines.append(f"  all on {dv}: {fmt_time(t)} ({t / plan.total_s:.2f}x the plan)" if plan.total_s
                         else f"  all on {dv}: {fmt_time(t)}")
    return "\n".join(lines)


def _layers(plan) -> dict[str, int]:
    """Longest-path depth of each node of the unit graph (inputs at 0)."""
    names = ["inputs"] + [dec.unit for dec in plan.decisions] + ["outputs"]
    preds: dict[str, set[str]] = {n: set() for n in names}
    for a, b, _, _ in plan.edges:
        preds[b].add(a)
    depth: dict[str, int] = {}
    for n in names:  # decisions are in program order, so predecessors come first
        depth[n] = 1 + max((depth[p] for p in preds[n] if p in depth), default=-1)
    depth["outputs"] = max(depth.values()) + (0 if depth["outputs"] > 0 else 1)
    return depth


def html(plan, title: str = "furcate placement") -> str:
    """A self-contained HTML page: the unit graph (inline SVG) and the text report."""
    colour = {dv: PALETTE[i % len(PALETTE)] for i, dv in enumerate(plan.machine.names)}
    host = plan.machine.host.name
    dev_of = {dec.unit: dec.device for dec in plan.decisions}
    dev_of["inputs"] = dev_of["outputs"] = host
    label = {dec.unit: dec.unit for dec in plan.decisions} | {"inputs": "inputs", "outputs": "outputs"}
    tip = {dec.unit: f"{dec.label}\n{dec.device}: {dec.reason}: {dec.detail}" for dec in plan.decisions}
    depth = _layers(plan)
    rows: dict[int, list[str]] = {}
    for n, k in depth.items():
        rows.setdefault(k, []).append(n)
    bw, bh, gx, gy = 150, 34, 30, 60
    legend = 10 + sum(30 + 8 * len(dv) for dv in colour) + 36 + 8 * len("transfer") + 10
    width = max(max(len(r) for r in rows.values()) * (bw + gx) + gx, legend)  # the legend must fit too
    height = (max(rows) + 1) * (bh + gy) + gy
    pos = {}
    for k, names in rows.items():
        x0 = (width - len(names) * (bw + gx) + gx) / 2
        for i, n in enumerate(names):
            pos[n] = (x0 + i * (bw + gx), gy / 2 + k * (bh + gy))
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" '
           f'font-family="sans-serif" font-size="12">',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for a, b, nbytes, crosses in plan.edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        style = 'stroke="#d62728" stroke-width="3" stroke-dasharray="6,3"' if crosses else 'stroke="#999"'
        kind = "edge transfer" if crosses else "edge"
        svg.append(f'<line class="{kind}" data-src="{_html.escape(a)}" data-dst="{_html.escape(b)}" '
                   f'x1="{xa + bw / 2:.0f}" y1="{ya + bh:.0f}" x2="{xb + bw / 2:.0f}" y2="{yb:.0f}" '
                   f'{style} marker-end="url(#a)"><title>{_html.escape(a)} -> {_html.escape(b)}: '
                   f'{nbytes} bytes{" (transfer)" if crosses else ""}</title></line>')
    for n, (x, y) in pos.items():
        fill = colour[dev_of[n]] if n in tip else "#ddd"
        kind = "unit" if n in tip else "io"
        svg.append(f'<g class="{kind}" data-name="{_html.escape(n)}" data-device="{_html.escape(dev_of[n])}">'
                   f'<title>{_html.escape(tip.get(n, n))}</title>'
                   f'<rect x="{x:.0f}" y="{y:.0f}" width="{bw}" height="{bh}" rx="5" fill="{fill}" stroke="#333"/>'
                   f'<text x="{x + bw / 2:.0f}" y="{y + bh / 2 + 4:.0f}" text-anchor="middle" '
                   f'fill="{"#fff" if n in tip else "#000"}">{_html.escape(label[n][:20])}</text></g>')
    x = 10
    for dv, c in colour.items():
        svg.append(f'<rect x="{x}" y="{height + 10}" width="14" height="14" fill="{c}"/>'
                   f'<text x="{x + 18}" y="{height + 22}">{_html.escape(dv)}</text>')
        x += 30 + 8 * len(dv)
    svg.append(f'<line x1="{x}" y1="{height + 17}" x2="{x + 30}" y2="{height + 17}" stroke="#d62728" '
               f'stroke-width="3" stroke-dasharray="6,3"/><text x="{x + 36}" y="{height + 22}">transfer</text>')
    svg.append("</svg>")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{_html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;margin:20px}} pre{{background:#f6f6f6;padding:10px;overflow-x:auto;white-space:pre}}</style>"
            f"</head><body><h1>{_html.escape(title)}</h1>\n{''.join(svg)}\n"
            f"<pre>{_html.escape(report(plan))}</pre></body></html>\n")


__all__ = ["report", "html", "fmt_time", "fmt_bytes"]
