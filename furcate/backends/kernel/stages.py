"""The order in which a reduction kernel's reductions run, shared by the C and Triton renderers."""

from __future__ import annotations

from furcate.backends.kernel.desc import Kernel, Reduce


def reduction_stages(k: Kernel) -> list[list[int]]:
    """Reductions (node indices) grouped into passes over the row: a reduction runs in
    the first pass after every reduction its argument depends on (softmax: the max,
    then the sum of exp)."""
    stage: dict[int, int] = {}
    for r in k.reductions():
        deps = [d for d in k.deps(k.nodes[r].arg) if isinstance(k.nodes[d], Reduce)]
        stage[r] = 1 + max((stage[d] for d in deps), default=-1)
    out: list[list[int]] = [[] for _ in range(max(stage.values(), default=-1) + 1)]
    for r, s in stage.items():
        out[s].append(r)
    return out
