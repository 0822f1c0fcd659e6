"""The ATen converter registry, and what every converter works with.

``CONVERTERS`` maps an ATen ``OpOverload`` (or a whole ``OpOverloadPacket``) to a
``Converter``: a small function ``fn(cx, node, *args, **kwargs)`` that receives
the node's arguments with every FX node replaced by its furcate value, builds IR
through ``cx.b`` (a ``GraphBuilder``) and returns the node's value (one SSA value,
or a list of them for multi-output ops). The same table is the capability check of
the partitioner: an op is supported when it is in the table and its optional
``check(node)`` accepts the node.

Result dtypes and shapes always come from ``node.meta['val']`` (``cx.out(node)``);
converters insert ``convert`` / ``broadcast_in_dim`` explicitly because the IR
never promotes or broadcasts. The converter families (``torch_ops_pointwise``,
``torch_ops_reduce``, ``torch_ops_shape``, ``torch_ops_nn``, ``torch_ops_conv``)
import this module and register themselves; ``torch_ops`` imports them all and is
what the frontend reads. This module imports no family.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import torch

from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder, spec

aten = torch.ops.aten
prims = torch.ops.prims

TORCH_DTYPES = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.float16: "f16",
    torch.bfloat16: "bf16",
    torch.bool: "i1",
    torch.int8: "i8",
    torch.int32: "i32",
    torch.int64: "i64",
}


def furcate_dtype(dtype: torch.dtype) -> str:
    try:
        return TORCH_DTYPES[dtype]
    except KeyError:
        raise TypeError(f"torch dtype {dtype} has no furcate equivalent") from None


# --------------------------------------------------------------------------
# registry


@dataclass(frozen=True)
class Converter:
    fn: Callable
    check: Callable | None = None  # node -> bool: can this particular node be converted?


CONVERTERS: dict = {}


def register(*ops, check: Callable | None = None):
    """Register ``fn`` as the converter of ``ops`` (OpOverloads or OpOverloadPackets)."""

    def deco(fn):
        for op in ops:
            CONVERTERS[op] = Converter(fn, check)
        return fn

    return deco


# converters of ops that exist only once a torch module defines them (``prims.fma`` comes with
# torch._inductor, ~1 s to import): keyed by the op's name, ``str(OpOverload)``
CONVERTERS_BY_NAME: dict[str, Converter] = {}


def lookup(target) -> Converter | None:
    conv = CONVERTERS.get(target)
    if conv is None and isinstance(target, torch._ops.OpOverload):
        conv = CONVERTERS.get(target.overloadpacket) or CONVERTERS_BY_NAME.get(str(target))
    return conv


# --------------------------------------------------------------------------
# conversion context: the builder plus the helpers every converter uses


def is_tensor_val(v) -> bool:
    return isinstance(v, torch.Tensor)


def spec_of_val(v) -> TensorSpec:
    return TensorSpec(tuple(int(s) for s in v.shape), furcate_dtype(v.dtype))


def _meta(x):
    """The torch-side value of an FX argument (a FakeTensor for tensors, else itself)."""
    return x.meta.get("val") if isinstance(x, torch.fx.Node) else x


class Cx:
    """What a converter works with: the builder ``b`` and small helpers."""

    def __init__(self, builder: GraphBuilder):
        self.b = builder

    # -- specs -------------------------------------------------------------
    @staticmethod
    def out(node: torch.fx.Node, i: int | None = None) -> TensorSpec:
        val = node.meta["val"]
        return spec_of_val(val if i is None else val[i])

    @staticmethod
    def compute_dtype(node: torch.fx.Node, n: int = 2) -> str:
        """torch's own promoted dtype of the first ``n`` arguments (for compare ops, whose
        result dtype (bool) does not say in which type to compare)."""
        metas = [_meta(a) for a in node.args[:n]]
        d = metas[0] if len(metas) == 1 else torch.result_type(*metas)
        return furcate_dtype(d if isinstance(d, torch.dtype) else d.dtype)

    # -- values ------------------------------------------------------------
    def cast(self, v, dtype: str):
        return self.b.convert(v, dtype)

    def bcast(self, v, shape):
        """NumPy-style broadcast of ``v`` to ``shape`` (explicit broadcast_in_dim)."""
        shape = tuple(shape)
        s = spec(v)
        if s.shape == shape:
            return v
        if s.rank > len(shape):
            v = self.b.op("reshape", v, shape=[d for d in s.shape if d != 1] or [])
            s = spec(v)
        dims = list(range(len(shape) - s.rank, len(shape)))
        return self.b.op("broadcast_in_dim", v, broadcast_dimensions=dims, shape=list(shape))

    def tensor(self, x, target: TensorSpec):
        """``x`` (an SSA value or a Python scalar) as a tensor of ``target``'s dtype and shape."""
        if isinstance(x, (bool, int, float)):
            return self.b.full(x, target)
        return self.bcast(self.cast(x, target.dtype), target.shape)

    def scalar_like(self, value, v):
        """A constant ``value`` with the shape and dtype of ``v``."""
        return self.b.full(value, spec(v))

    def op(self, name, *args, **props):
        return self.b.op(name, *args, **props)

    def reshape(self, v, shape):
        shape = list(shape)
        if list(spec(v).shape) == shape:
            return v
        return self.b.op("reshape", v, shape=shape)

    def select(self, pred, a, b):
        return self.b.op("select", pred, a, b)

    def cmp(self, a, b, direction: str):
        return self.b.op("compare", a, b, comparison_direction=direction)


def norm_dim(d: int, rank: int) -> int:
    return d + rank if d < 0 else d


def norm_dims(dims, rank: int) -> list[int]:
    """Reduction dims, sorted and non-negative; none for a 0-d tensor (torch takes dim 0 or -1
    of a 0-d tensor as the tensor itself)."""
    if rank == 0:
        return []
    if dims is None or (isinstance(dims, (list, tuple)) and len(dims) == 0):
        return list(range(rank))
    if isinstance(dims, int):
        dims = [dims]
    return sorted({norm_dim(int(d), rank) for d in dims})


def upcast(dtype: str) -> str:
    """The dtype torch computes a composite float op in (f32 for f16/bf16)."""
    return "f32" if dtype in ("f16", "bf16") else dtype


# --------------------------------------------------------------------------
# non-tensor values: SymInt arithmetic and sizes come from the (concrete) meta value

SCALAR_TARGETS = {
    operator.add, operator.sub, operator.mul, operator.floordiv, operator.truediv, operator.mod,
    operator.neg, operator.pow, operator.eq, operator.ne, operator.lt, operator.le, operator.gt,
    operator.ge, aten.sym_size.int, aten.sym_stride.int, aten.sym_numel.default,
    aten.sym_storage_offset.default, torch.sym_float, torch.sym_int, torch.sym_max, torch.sym_min,
}
