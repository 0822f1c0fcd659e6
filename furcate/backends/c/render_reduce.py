"""Reduction kernels in C.

Row schedule (the default): parallel loops outside, then per row one loop per
*stage* (the reductions whose arguments need no other reduction of the row
share a loop, the next ones the next loop), each accumulating into 16
independent lanes (vectorizable without reassociating floats) combined after
the loop; then row-level stores and a loop of per-element stores. Expensive
per-element values a later loop needs again (softmax's exp) are kept in a
row-sized stack array rather than computed twice.

Column schedule: when the reduction runs across the memory layout (the last
parallel variable is the contiguous one, e.g. a sum over dim 1 of
``[bags, 32, 64]`` -- EmbeddingBag), the loop over the reduced variables is
outside and the last parallel variable inside, accumulating a row-sized array
of partial results: every load is contiguous and vectorizes.
"""

from __future__ import annotations

from furcate.backends.c.render import (
    EXPENSIVE, LANES, PAR_THRESHOLD, REDUCE_INIT, VTYPE, _Body, _close, _loops, _omp, affine_expr, combine, element_work,
    store_expr,
)
from furcate.backends.kernel.desc import Gather, Kernel, Load, Op, Reduce
from furcate.backends.kernel.stages import reduction_stages
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS


def render_reduction(k: Kernel, body: _Body, lines: list[str]) -> None:
    """Append the loops of reduction kernel ``k`` to ``lines``."""
    if _column_schedule(k):
        _render_columns(k, body, lines)
    else:
        _render_reduction(k, body, lines)


# transcendental primitives worth caching per row rather than computing again in a later loop
CACHE_LIMIT = 1 << 16  # bytes of one per-row cache array (on the stack of each thread)


def _row_caches(k: Kernel, stages, el_values, inner) -> list[set[int]]:
    """Per stage loop: the expensive per-element nodes it computes that a later loop (a later
    stage or the epilogue) needs too. They are stored in a row-sized array by the loop that
    computes them and loaded by the later ones (softmax's exp is computed once, not twice)."""
    R = 1
    for e in k.reduce:
        R *= e
    if R * 8 > CACHE_LIMIT:
        return [set() for _ in stages]
    needs = [{d for r in stage for d in k.deps(k.nodes[r].arg) if inner[d]} for stage in stages]
    needs.append({d for v in el_values for d in k.deps(v) if inner[d]})
    out, done = [], set()
    for i in range(len(stages)):
        later = set().union(*needs[i + 1:])
        pick = {n for n in needs[i] & later - done
                if isinstance(k.nodes[n], Op) and k.nodes[n].prim in EXPENSIVE}
        done |= pick
        out.append(pick)
    return out


def _reduce_index(k: Kernel) -> str:
    """The linear offset within a row of the reduction variables."""
    P = len(k.parallel)
    terms, st = [], 1
    for j in reversed(range(len(k.reduce))):
        terms.append(f"i{P + j}" if st == 1 else f"{st}*i{P + j}")
        st *= k.reduce[j]
    return " + ".join(reversed(terms))


def _render_reduction(k: Kernel, body: _Body, lines: list[str]) -> None:
    P = len(k.parallel)
    inner = k.inner()
    rows = 1
    for e in k.parallel:
        rows *= e
    R = 1
    for e in k.reduce:
        R *= e
    n_reduce = sum(1 for n in k.nodes if isinstance(n, Reduce))
    # per element as a pointwise loop's (a unit per 4 nodes), plus each reduction's combine of
    # its lanes per row: a softmax over short rows (256 x 64) costs ~50 us serially
    work = rows * R * element_work(k) + rows * n_reduce * LANES
    ind = _loops(k.parallel, 0, "    ", lines, _omp(k, work))
    lanes = len(k.reduce) == 1
    row_stores = [s for s in k.stores if not inner[s.value] and not _store_inner(k, s)]
    el_stores = [s for s in k.stores if s not in row_stores]
    stages = reduction_stages(k)
    caches = _row_caches(k, stages, [s.value for s in el_stores], inner)
    ridx = _reduce_index(k)
    for c in sorted(set().union(*caches)):
        lines.append(f"{ind}{VTYPE[k.nodes[c].dtype]} c{c}[{R}];")
    for stage, cache in zip(stages, caches):
        roots = [k.nodes[r].arg for r in stage]
        outer_deps = sorted({d for a in roots for d in k.deps(a) if not inner[d] and not isinstance(k.nodes[d], Reduce)})
        body.emit(outer_deps, lines, ind)
        if lanes:
            _lane_loop(k, body, stage, roots, lines, ind, cache, ridx)
        else:
            _nested_loop(k, body, stage, roots, lines, ind, cache, ridx)
        for r in stage:
            n = k.nodes[r]
            body.defined.add(r)
            lines.append(f"{ind}const {VTYPE[n.dtype]} t{r} = ({VTYPE[n.dtype]})s{r};")
        for c in cache:  # later loops load the cached value
            body.override[c] = f"c{c}[{ridx}]"
    # epilogue: row-level stores, then a loop for per-element stores
    for s in row_stores:
        body.emit(k.deps(s.value), lines, ind)
        lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};")
    if el_stores:
        outer_deps = sorted({d for s in el_stores for d in k.deps(s.value) if not inner[d]})
        body.emit(outer_deps, lines, ind)
        ind2 = _loops(k.reduce, P, ind, lines)
        saved = set(body.defined)
        body.emit(sorted({d for s in el_stores for d in k.deps(s.value)}), lines, ind2)
        for s in el_stores:
            lines.append(f"{ind2}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};")
        body.defined = saved
        _close(len(k.reduce), ind2, lines)
    _close(P, ind, lines)


def _lane_loop(k, body: _Body, stage, roots, lines, ind, cache, ridx) -> None:
    """One loop over the single reduction variable into ``LANES`` accumulators per reduction,
    combined into ``s<r>``. A row longer than ``BLOCK`` is summed block by block, the blocks'
    lane vectors combined pairwise (``_push``/``_pop_all``), so float error grows with
    log(row) rather than with the row: the result is as accurate as eager's cascade sum."""
    v = len(k.parallel)
    e = k.reduce[0]
    full = e // LANES * LANES
    blocked = full > BLOCK
    for r in stage:
        n = k.nodes[r]
        lines.append(f"{ind}{VTYPE[n.acc]} a{r}[{LANES}];")
        if not blocked:
            lines.append(f"{ind}for (int l = 0; l < {LANES}; l++) a{r}[l] = {REDUCE_INIT[n.kind](n.acc)};")
    ind0, lo, hi = ind, "0", str(full)
    if blocked:
        _stack_decl(k, stage, lines, ind)
        lines.append(f"{ind}for (int64_t blk0 = 0; blk0 < {full}; blk0 += {BLOCK}) {{")
        ind0, lo, hi = ind + "    ", "blk0", "blk1"
        lines.append(f"{ind0}const int64_t blk1 = blk0 + {BLOCK} < {full} ? blk0 + {BLOCK} : {full};")
        for r in stage:
            n = k.nodes[r]
            lines.append(f"{ind0}for (int l = 0; l < {LANES}; l++) a{r}[l] = {REDUCE_INIT[n.kind](n.acc)};")
    lines.append(f"{ind0}for (int64_t r0 = {lo}; r0 < {hi}; r0 += {LANES}) {{")
    lines.append(f"{ind0}    for (int l = 0; l < {LANES}; l++) {{")
    lines.append(f"{ind0}        const int64_t i{v} = r0 + l;")
    _reduce_body(k, body, stage, roots, lines, ind0 + "        ", lambda r: f"a{r}[l]", cache, ridx)
    lines.append(f"{ind0}    }}")
    lines.append(f"{ind0}}}")
    if blocked:
        for r in stage:
            _push(k, r, lines, ind0)
        lines.append(f"{ind}}}")
        for r in stage:
            _pop_all(k, r, lines, ind)
    for r in stage:
        n = k.nodes[r]
        if REDUCE_KINDS[n.kind].exactly_associative(n.acc):  # a tree of lane pairs (vector ops): the same bits
            lines.append(f"{ind}for (int w = {LANES // 2}; w > 0; w >>= 1) for (int l = 0; l < w; l++) "
                         f"a{r}[l] = {combine(n.kind, f'a{r}[l]', f'a{r}[l + w]', n.acc)};")
            lines.append(f"{ind}{VTYPE[n.acc]} s{r} = a{r}[0];")
        else:  # float sums and products: lane by lane, in order
            lines.append(f"{ind}{VTYPE[n.acc]} s{r} = a{r}[0];")
            lines.append(f"{ind}for (int l = 1; l < {LANES}; l++) s{r} = {combine(n.kind, f's{r}', f'a{r}[l]', n.acc)};")
    if full < e:
        lines.append(f"{ind}for (int64_t i{v} = {full}; i{v} < {e}; i{v}++) {{")
        _reduce_body(k, body, stage, roots, lines, ind + "    ", lambda r: f"s{r}", cache, ridx)
        lines.append(f"{ind}}}")


def _nested_loop(k, body: _Body, stage, roots, lines, ind, cache, ridx) -> None:
    """Nested loops over several reduction variables into one accumulator ``s<r>`` each. More
    than ``NESTED_BLOCK`` elements: every ``NESTED_BLOCK`` or so (whole runs of the innermost loop, itself cut
    into blocks when longer) the partial result goes to a pairwise stack (``_push``)."""
    P = len(k.parallel)
    R = 1
    for e in k.reduce:
        R *= e
    for r in stage:
        n = k.nodes[r]
        lines.append(f"{ind}{VTYPE[n.acc]} s{r} = {REDUCE_INIT[n.kind](n.acc)};")
    if R <= NESTED_BLOCK:
        ind2 = _loops(k.reduce, P, ind, lines)
        _reduce_body(k, body, stage, roots, lines, ind2, lambda r: f"s{r}", cache, ridx)
        _close(len(k.reduce), ind2, lines)
        return
    _stack_decl(k, stage, lines, ind, lanes=False)
    g = f"g{stage[0]}"
    lines.append(f"{ind}int64_t {g} = 0;")
    last, v = k.reduce[-1], P + len(k.reduce) - 1
    ind1 = _loops(k.reduce[:-1], P, ind, lines)
    if last > NESTED_BLOCK:
        lines.append(f"{ind1}for (int64_t blk0 = 0; blk0 < {last}; blk0 += {NESTED_BLOCK}) {{")
        ind2 = ind1 + "    "
        lines.append(f"{ind2}for (int64_t i{v} = blk0; i{v} < (blk0 + {NESTED_BLOCK} < {last} ? blk0 + {NESTED_BLOCK} : {last}); i{v}++) {{")
        runs = 1
    else:
        ind2 = ind1
        lines.append(f"{ind2}for (int64_t i{v} = 0; i{v} < {last}; i{v}++) {{")
        runs = max(1, NESTED_BLOCK // last)
    _reduce_body(k, body, stage, roots, lines, ind2 + "    ", lambda r: f"s{r}", cache, ridx)
    lines.append(f"{ind2}}}")
    lines.append(f"{ind2}if (++{g} == {runs}) {{")
    lines.append(f"{ind2}    {g} = 0;")
    for r in stage:
        _push(k, r, lines, ind2 + "    ", lanes=False)
        lines.append(f"{ind2}    s{r} = {REDUCE_INIT[k.nodes[r].kind](k.nodes[r].acc)};")
    lines.append(f"{ind2}}}")
    if last > NESTED_BLOCK:
        lines.append(f"{ind1}}}")
    _close(len(k.reduce) - 1, ind1, lines)
    for r in stage:
        _push(k, r, lines, ind, lanes=False)
        _pop_all(k, r, lines, ind, lanes=False)


# Pairwise combination of block results: a binary counter over a stack of partial results
# (after 2^j blocks the top entries merge), so each element's result goes through about
# log2(blocks) combinations instead of up to ``blocks``. The lane loop pushes whole lane
# vectors (merged lane by lane, vectorized); the nested loop pushes scalars.
BLOCK = 256  # elements a lane loop accumulates (BLOCK / LANES per lane) before a push
NESTED_BLOCK = 256  # elements a nested loop accumulates before a push
STACK = 64


def _stack_decl(k, stage, lines, ind, lanes: bool = True) -> None:
    for r in stage:
        n = k.nodes[r]
        lines.append(f"{ind}{VTYPE[n.acc]} pw{r}[{STACK}]{f'[{LANES}]' if lanes else ''};")
        lines.append(f"{ind}int ph{r} = 0;")
        lines.append(f"{ind}int64_t pc{r} = 0;")


def _push(k, r, lines, ind, lanes: bool = True) -> None:
    """Push ``a<r>`` (the lane vector) or, without lanes, ``s<r>``; merge while the count is even."""
    n = k.nodes[r]
    if lanes:
        lines.append(f"{ind}for (int l = 0; l < {LANES}; l++) pw{r}[ph{r}][l] = a{r}[l];")
        lines.append(f"{ind}ph{r}++;")
        merge = (f"for (int l = 0; l < {LANES}; l++) pw{r}[ph{r} - 1][l] = "
                 f"{combine(n.kind, f'pw{r}[ph{r} - 1][l]', f'pw{r}[ph{r}][l]', n.acc)};")
    else:
        lines.append(f"{ind}pw{r}[ph{r}++] = s{r};")
        merge = f"pw{r}[ph{r} - 1] = {combine(n.kind, f'pw{r}[ph{r} - 1]', f'pw{r}[ph{r}]', n.acc)};"
    lines.append(f"{ind}for (int64_t q = ++pc{r}; !(q & 1); q >>= 1) {{ ph{r}--; {merge} }}")


def _pop_all(k, r, lines, ind, lanes: bool = True) -> None:
    """The stack's entries combined (newest, smallest first) into ``a<r>`` or ``s<r>``."""
    n = k.nodes[r]
    init = REDUCE_INIT[n.kind](n.acc)
    if lanes:
        lines.append(f"{ind}for (int l = 0; l < {LANES}; l++) a{r}[l] = {init};")
        lines.append(f"{ind}for (int q = ph{r} - 1; q >= 0; q--) for (int l = 0; l < {LANES}; l++) "
                     f"a{r}[l] = {combine(n.kind, f'pw{r}[q][l]', f'a{r}[l]', n.acc)};")
    else:
        lines.append(f"{ind}s{r} = {init};")
        lines.append(f"{ind}for (int q = ph{r} - 1; q >= 0; q--) s{r} = {combine(n.kind, f'pw{r}[q]', f's{r}', n.acc)};")


def _store_inner(k: Kernel, s) -> bool:
    return bool(s.offset.vars() & set(range(len(k.parallel), k.n_vars)))


def _reduce_body(k, body: _Body, stage, roots, lines, ind, acc_name, cache, ridx) -> None:
    saved = set(body.defined)
    body.emit(sorted({d for a in roots for d in k.deps(a)}), lines, ind)
    body.defined = saved
    for c in sorted(cache):
        lines.append(f"{ind}c{c}[{ridx}] = t{c};")
    for r in stage:
        n = k.nodes[r]
        val = f"t{n.arg}"
        if n.acc != n.dtype:
            val = f"(({VTYPE[n.acc]}){val})"
        a = acc_name(r)
        lines.append(f"{ind}{a} = {combine(n.kind, a, val, n.acc)};")


def _column_schedule(k: Kernel) -> bool:
    """One stage of reductions, no per-element stores, and the last parallel variable --
    not a reduction variable -- is the contiguous one of the loads that vary with it."""
    P = len(k.parallel)
    if P == 0 or len(reduction_stages(k)) != 1 or k.parallel[-1] * 8 > CACHE_LIMIT:
        return False
    inner = k.inner()
    if any(inner[s.value] or _store_inner(k, s) for s in k.stores):
        return False
    offsets = [n.offset for n in k.nodes if isinstance(n, (Load, Gather)) and k.buffers[n.buffer].role != "acc"]
    red = range(P, k.n_vars)
    last_unit = any(a.coef(P - 1) == 1 for a in offsets)
    # loads not varying with the last variable are invariant in the inner loop: ignored
    red_unit = any(a.coef(v) == 1 and a.coef(P - 1) for a in offsets for v in red)
    return last_unit and not red_unit


def _render_columns(k: Kernel, body: _Body, lines: list[str]) -> None:
    P = len(k.parallel)
    E = k.parallel[-1]
    v = P - 1
    R = 1
    for e in k.reduce:
        R *= e
    outer = k.parallel[:-1]
    rows = 1
    for e in outer:
        rows *= e
    pragma = None
    if outer and rows * E * R > PAR_THRESHOLD:
        collapse = f" collapse({len(outer)})" if len(outer) > 1 else ""
        pragma = f"#pragma omp parallel for{collapse} schedule(guided)"
    ind = _loops(outer, 0, "    ", lines, pragma)
    stage = reduction_stages(k)[0]
    for r in stage:
        n = k.nodes[r]
        lines.append(f"{ind}{VTYPE[n.acc]} a{r}[{E}];")
        lines.append(f"{ind}for (int64_t i{v} = 0; i{v} < {E}; i{v}++) a{r}[i{v}] = {REDUCE_INIT[n.kind](n.acc)};")
    levels = _column_levels(R)
    for r in stage:
        n = k.nodes[r]
        for j in range(1, levels):
            lines.append(f"{ind}{VTYPE[n.acc]} a{r}_{j}[{E}];")
            lines.append(f"{ind}for (int64_t i{v} = 0; i{v} < {E}; i{v}++) a{r}_{j}[i{v}] = {REDUCE_INIT[n.kind](n.acc)};")
    for j in range(levels - 1):
        lines.append(f"{ind}int g{stage[0]}_{j} = 0;")
    ind2 = _loops(k.reduce, P, ind, lines)
    lines.append(f"{ind2}for (int64_t i{v} = 0; i{v} < {E}; i{v}++) {{")
    _reduce_body(k, body, stage, [k.nodes[r].arg for r in stage], lines, ind2 + "    ", lambda r: f"a{r}[i{v}]",
                 set(), "")
    lines.append(f"{ind2}}}")
    _column_flush(k, stage, levels, E, v, lines, ind2)
    _close(len(k.reduce), ind2, lines)
    lines.append(f"{ind}for (int64_t i{v} = 0; i{v} < {E}; i{v}++) {{")
    for r in stage:
        n = k.nodes[r]
        body.defined.add(r)
        total = f"a{r}[i{v}]"
        for j in range(1, levels):  # the partial results, smallest first
            total = combine(n.kind, f"a{r}_{j}[i{v}]", total, n.acc)
        lines.append(f"{ind}    const {VTYPE[n.dtype]} t{r} = ({VTYPE[n.dtype]}){total};")
    for s in k.stores:
        body.emit(k.deps(s.value), lines, ind + "    ")
        lines.append(f"{ind}    b{s.buffer}[{affine_expr(s.offset)}] = "
                     f"{store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};")
    lines.append(f"{ind}}}")
    _close(len(outer), ind, lines)


# Column schedule: the row-sized accumulators take ``COLUMN_GROUP`` rows, then pass their partial
# results one level up (``COLUMN_GROUP`` of those, then up again), so each element's result goes
# through about levels * COLUMN_GROUP additions rather than one per row.
COLUMN_GROUP = 64
COLUMN_LEVELS = 4


def _column_levels(rows: int) -> int:
    levels, span = 1, COLUMN_GROUP
    while span < rows and levels < COLUMN_LEVELS:
        levels += 1
        span *= COLUMN_GROUP
    return levels


def _column_flush(k, stage, levels, E, v, lines, ind) -> None:
    """After each row: every ``COLUMN_GROUP`` rows at level j, its accumulators join level j+1."""
    if levels == 1:
        return
    g = f"g{stage[0]}"
    for j in range(levels - 1):
        pad = ind + "    " * j
        lines.append(f"{pad}if (++{g}_{j} == {COLUMN_GROUP}) {{")
        lines.append(f"{pad}    {g}_{j} = 0;")
        lines.append(f"{pad}    for (int64_t i{v} = 0; i{v} < {E}; i{v}++) {{")
        for r in stage:
            n = k.nodes[r]
            src, dst = (f"a{r}" if j == 0 else f"a{r}_{j}"), f"a{r}_{j + 1}"
            lines.append(f"{pad}        {dst}[i{v}] = {combine(n.kind, f'{dst}[i{v}]', f'{src}[i{v}]', n.acc)};")
            lines.append(f"{pad}        {src}[i{v}] = {REDUCE_INIT[n.kind](n.acc)};")
        lines.append(f"{pad}    }}")
    for j in reversed(range(levels - 1)):
        lines.append(f"{ind}{'    ' * j}}}")
