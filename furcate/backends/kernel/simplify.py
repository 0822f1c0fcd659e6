"""Iteration-space simplification shared by the renderers.

``merge_vars`` drops extent-1 variables and merges adjacent variables of the
same class (parallel or reduce) wherever every access uses them as one
row-major index (``coef(v) == coef(v+1) * extent(v+1)``): a plain elementwise
kernel over ``[4096, 4096]`` becomes one loop of 16M, a per-column broadcast
keeps two. The kernel's semantics are unchanged.
"""

from __future__ import annotations

import dataclasses

from furcate.backends.kernel.desc import Affine, Gather, Index, Kernel, Load, Store


def _affines(k: Kernel) -> list[Affine]:
    out = [n.offset for n in k.nodes if isinstance(n, (Load, Gather))]
    out += [n.expr for n in k.nodes if isinstance(n, Index)]
    out += [s.offset for s in k.stores]
    return out


def _remap(k: Kernel, fn) -> Kernel:
    nodes = []
    for n in k.nodes:
        if isinstance(n, (Load, Gather)):
            n = dataclasses.replace(n, offset=fn(n.offset))
        elif isinstance(n, Index):
            n = dataclasses.replace(n, expr=fn(n.expr))
        nodes.append(n)
    stores = [Store(s.buffer, fn(s.offset), s.value) for s in k.stores]
    return dataclasses.replace(k, nodes=nodes, stores=stores)


def _drop(k: Kernel, v: int) -> Kernel:
    """Remove variable ``v`` (extent 1) and renumber the ones above it."""
    def fn(a: Affine) -> Affine:
        return Affine.of({(u if u < v else u - 1): c for u, c in a.terms if u != v}, a.const)
    P = len(k.parallel)
    ext = list(k.extents)
    del ext[v]
    k = _remap(k, fn)
    P2 = P - 1 if v < P else P
    return dataclasses.replace(k, parallel=tuple(ext[:P2]), reduce=tuple(ext[P2:]))


def _merge(k: Kernel, v: int) -> Kernel:
    """Merge variables ``v`` and ``v+1`` into one of extent ext(v)*ext(v+1)."""
    def fn(a: Affine) -> Affine:
        t = {}
        for u, c in a.terms:
            if u == v:
                continue
            t[u if u <= v else u - 1] = c
        return Affine.of(t, a.const)
    P = len(k.parallel)
    ext = list(k.extents)
    ext[v] = ext[v] * ext[v + 1]
    del ext[v + 1]
    k = _remap(k, fn)
    P2 = P - 1 if v < P else P
    return dataclasses.replace(k, parallel=tuple(ext[:P2]), reduce=tuple(ext[P2:]))


def merge_vars(k: Kernel) -> Kernel:
    changed = True
    while changed:
        changed = False
        ext = k.extents
        for v, e in enumerate(ext):
            if e == 1:
                k = _drop(k, v)
                changed = True
                break
        if changed:
            continue
        P = len(k.parallel)
        index_vars = set().union(*[n.expr.vars() for n in k.nodes if isinstance(n, Index)])
        for v in range(len(ext) - 1):
            if (v < P) != (v + 1 < P) or v in index_vars or v + 1 in index_vars:
                continue
            if all(a.coef(v) == a.coef(v + 1) * ext[v + 1] for a in _affines(k)):
                k = _merge(k, v)
                changed = True
                break
    from furcate.backends.kernel.lower import _block

    return dataclasses.replace(k, block=_block(k.kind, k.parallel, k.reduce))
