"""The NumPy backend's kernels of elementwise ops, convert and iota.

The numerics are the op set's reference semantics, ``furcate.ir.reference``
(shared with constant folding, so the two never disagree): each factory
``(attrs, in_specs, out_specs) -> fn(*arrays)`` is ``reference.evaluator`` for
its op. ``fn`` computes f16/bf16 in f32; the backend casts the result back to
the storage dtype (one rounding per op) and silences NumPy's FP warnings.
"""

from __future__ import annotations

from functools import partial

from furcate.ir.reference import OPS, compute_dtype, evaluator

# op name -> factory(attrs, in_specs, out_specs) -> fn(*arrays)
KERNELS = {name: partial(evaluator, name) for name in OPS}

__all__ = ["KERNELS", "compute_dtype"]
