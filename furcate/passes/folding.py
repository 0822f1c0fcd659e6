"""Constant evaluation for canonicalize: furcate ops on small NumPy constants.

The values come from the op set's reference semantics (``furcate.ir.reference``,
the same code the NumPy backend runs; a pass never imports a backend), so a
folded constant is bit for bit what the reference computes. This module holds
only the policy: which ops fold. Layout ops (reshape, transpose,
broadcast_in_dim, slice, concatenate) and iota fold too; the caller decides
the size limits.

Ops left in the program on purpose: those the op table marks ``fold=False``
(``erf``: its reference needs SciPy, which the compiler does not depend on) and
integer→bf16 ``convert``
(the reference rounds through f64, twice for |x| > 2**53; targets round
differently).

``fold(op, arrays)`` returns the result array, or None when the op is not
folded (the op then simply stays).
"""

from __future__ import annotations

import numpy as np

from furcate.ir import op_table, reference
from furcate.ir.dialect import spec_of
from furcate.ir.types import TensorSpec, is_int

LAYOUT_FOLDS = {"reshape", "transpose", "broadcast_in_dim", "slice", "concatenate"}
NOT_FOLDED = {e.name for e in op_table.TABLE if not e.fold}


def _folds(name: str, ins: list[TensorSpec], out: TensorSpec) -> bool:
    if name in LAYOUT_FOLDS:
        return True
    if name in NOT_FOLDED or name not in reference.OPS:
        return False
    return not (name == "convert" and is_int(ins[0].dtype) and out.dtype == "bf16")


def _layout(name: str, attrs: dict, arrays, out: TensorSpec):
    x = arrays[0]
    if name == "reshape":
        return x.reshape(out.shape)
    if name == "transpose":
        return np.transpose(x, attrs["permutation"])
    if name == "broadcast_in_dim":
        shape = [1] * out.rank
        for i, dim in enumerate(attrs["broadcast_dimensions"]):
            shape[dim] = x.shape[i]
        return np.broadcast_to(x.reshape(shape), out.shape)
    if name == "slice":
        return x[tuple(slice(s, e, st) for s, e, st in
                       zip(attrs["start_indices"], attrs["limit_indices"], attrs["strides"]))]
    return np.concatenate(arrays, axis=attrs["dimension"])


def fold(op, arrays: list[np.ndarray], out_shape: tuple[int, ...] | None = None) -> np.ndarray | None:
    """The value of ``op`` applied to constant ``arrays``, or None if it is not folded here.

    ``out_shape`` evaluates an elementwise op on arrays of another shape than the op's
    (its splat scalars)."""
    name = op.name.split(".", 1)[1]
    out = spec_of(op.results[0])
    ins = [spec_of(v) for v in op.operands]
    if not _folds(name, ins, out):
        return None
    attrs = op.attrs()
    with np.errstate(all="ignore"):
        if name in LAYOUT_FOLDS:
            r = _layout(name, attrs, arrays, out)
        else:
            try:
                fn = reference.evaluator(name, attrs, ins, [out])
            except (KeyError, ValueError):
                return None  # an operand dtype the op does not take: the backend reports it
            r = fn(*arrays)
        r = np.asarray(r)
        if r.shape != (tuple(out.shape) if out_shape is None else tuple(out_shape)):
            return None
        return r.astype(out.np_dtype, order="C")
