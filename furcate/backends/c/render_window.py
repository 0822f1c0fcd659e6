"""Window kernels in C: the signature and epilogue loops they share (convolutions are in
``render_conv.py``; ``emit.render`` picks), and pooling (``WindowKernel`` of kind ``pool``, a ``furcate.reduce_window``).

Pooling: the iteration space is the result's shape. Per output row (all dims but the
last, chunks of ``ROW_CHUNK`` along the last) the window is accumulated into a local
row (f32 for f16/bf16, f64 for f64): for each window offset of the leading dims that
lands inside the input, and each offset along the last dim, one loop over the row's
valid outputs (``fc_cdiv`` bounds, so padding is never read: it is the reduction's
identity) -- contiguous loads for stride 1, vectorized. max/min propagate NaN
(``fc_maxf``). The epilogue (the divide of an average pool, an activation) then runs
over the row, reading the local accumulator. Dims the window does not move along
(window 1, stride 1, no padding) index the input directly.
"""

from __future__ import annotations

import math

from furcate.backends.c.render import CTYPE, PAR_THRESHOLD, REDUCE_INIT, _Body, affine_expr, buffer_params, combine, \
    load_expr, store_expr
from furcate.backends.c.window import PoolGeom, WindowKernel

ROW_CHUNK = 512  # outputs of one local accumulator row
_CT = {"f32": "float", "f64": "double"}


def window_signature(k: WindowKernel, fname: str, aliased: frozenset[int]) -> tuple[list[str], list[str]]:
    """(parameter declarations, constant arrays) of window kernel ``k`` (accumulators in
    their accumulation type)."""
    return buffer_params(k, aliased, lambda b: CTYPE[b.spec.dtype] if b.role != "acc" else _CT[b.spec.dtype])


def round_acc(k: WindowKernel, body: _Body, expr=None) -> None:
    """Loads of the anchor's value read the accumulator (``expr(offset)``, default the acc
    buffer), rounded to the anchor's dtype where that is f16/bf16."""
    for i in k.anchor_loads():
        n = k.nodes[i]
        e = expr(n.offset) if expr is not None else f"b{k.acc_index}[{affine_expr(n.offset)}]"
        if n.dtype == "f16":
            e = f"fc_round_h({e})"
        elif n.dtype == "bf16":
            e = f"fc_round_bf({e})"
        body.override[i] = e


def epilogue_is_identity(k: WindowKernel) -> bool:
    """The only store is the accumulator itself, in place: nothing to run after the anchor."""
    if not k.dot_in_place or len(k.stores) != 1:
        return False
    return k.stores[0].value in k.anchor_loads() and k.buffers[k.stores[0].buffer].spec.dtype == k.window.acc


def render_epilogue(k: WindowKernel, body: _Body, lines: list[str], ind: str, ranges) -> None:
    """The epilogue over the box ``ranges`` ((variable, lo, hi): C expressions of the loop
    bounds; variables not named are already defined around it)."""
    body.defined.clear()
    opened = 0
    for v, lo, hi in ranges:
        lines.append(f"{ind}for (int64_t i{v} = {lo}; i{v} < {hi}; i{v}++) {{")
        ind += "    "
        opened += 1
    roots = sorted({i for s in k.stores for i in k.deps(s.value)})
    body.emit(roots, lines, ind)
    for s in k.stores:
        b = k.buffers[s.buffer]
        lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', b.spec.dtype)};")
    for _ in range(opened):
        ind = ind[:-4]
        lines.append(f"{ind}}}")


def render_pool(k: WindowKernel, fname: str, aliased: frozenset[int] = frozenset()) -> str:
    g: PoolGeom = k.window
    CT = _CT[g.acc]
    T = CTYPE[g.dtype]
    r = len(g.out)
    params, consts = window_signature(k, fname, aliased)
    lines = [f"static void {fname}({', '.join(params)}) {{"]
    lines += ["    " + c for c in consts]
    body = _Body(k, lambda i: f"b{i}")
    last = r - 1
    round_acc(k, body, lambda off: f"ar[i{last} - jc]")
    x = f"b{k.x_buffer}"
    OL = g.out[last]
    ch = min(OL, ROW_CHUNK)
    work = math.prod(g.out) * math.prod(g.window)
    ind = "    "
    prefix = list(range(last))
    if work > PAR_THRESHOLD * 4 and prefix:
        n_par = 1
        for v in prefix:  # collapse leading dims until there is enough to split
            if math.prod(g.out[:v + 1]) >= 16 or v == prefix[-1]:
                n_par = v + 1
                break
        lines.append(f"{ind}#pragma omp parallel for{f' collapse({n_par})' if n_par > 1 else ''} schedule(static)")
    for v in prefix:
        lines.append(f"{ind}for (int64_t i{v} = 0; i{v} < {g.out[v]}; i{v}++) {{")
        ind += "    "
    lines.append(f"{ind}for (int64_t jc = 0; jc < {OL}; jc += {ch}) {{")
    ind += "    "
    init = REDUCE_INIT[g.kind](g.acc)
    lines += [f"{ind}const int64_t len = {OL} - jc < {ch} ? {OL} - jc : {ch};",
              f"{ind}{CT} ar[{ch}];",
              f"{ind}for (int64_t j = 0; j < {ch}; j++) ar[j] = {init};"]
    # window offsets of the leading dims: input index q{v}; skip offsets outside the input
    opened = 0
    strides = [math.prod(g.inp[v + 1:]) for v in range(r)]
    for v in prefix:
        if g.trivial(v):
            lines.append(f"{ind}const int64_t q{v} = i{v};")
            continue
        lines.append(f"{ind}for (int64_t k{v} = 0; k{v} < {g.window[v]}; k{v}++) {{")
        ind += "    "
        opened += 1
        lines += [f"{ind}const int64_t q{v} = i{v}*{g.stride[v]} + k{v}*{g.dil[v]} - {g.pad[v]};",
                  f"{ind}if (q{v} < 0 || q{v} >= {g.inp[v]}) continue;"]
    row = " + ".join([f"q{v}*{strides[v]}" for v in prefix] or ["0"])
    SL, NL = g.stride[last], g.inp[last]
    lines += [f"{ind}const {T} *restrict src = {x} + {row};",
              f"{ind}for (int64_t kl = 0; kl < {g.window[last]}; kl++) {{",
              f"{ind}    const int64_t off = kl*{g.dil[last]} - {g.pad[last]};",
              f"{ind}    int64_t jlo = fc_cdiv(-off - jc*{SL}, {SL}); jlo = jlo < 0 ? 0 : (jlo > len ? len : jlo);",
              f"{ind}    int64_t jhi = fc_cdiv({NL} - off - jc*{SL}, {SL}); "
              f"jhi = jhi > len ? len : (jhi < jlo ? jlo : jhi);",
              f"{ind}    for (int64_t j = jlo; j < jhi; j++) "
              f"ar[j] = {combine(g.kind, 'ar[j]', load_expr('src', f'(jc + j)*{SL} + off', g.dtype), g.acc)};",
              f"{ind}}}"]
    for _ in range(opened):
        ind = ind[:-4]
        lines.append(f"{ind}}}")
    ranges = [(last, "jc", "jc + len")]
    render_epilogue(k, body, lines, ind, ranges)
    ind = ind[:-4]
    lines.append(f"{ind}}}")
    for _ in prefix:
        ind = ind[:-4]
        lines.append(f"{ind}}}")
    lines.append("}")
    return "\n".join(lines) + "\n"
