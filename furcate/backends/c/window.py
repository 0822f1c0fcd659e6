"""Window kernels of the C backend: ``furcate.convolution`` and ``furcate.reduce_window``
with their pointwise epilogue, lowered to a ``WindowKernel``.

A window kernel computes its anchor (the convolution or the pooling) into an
accumulator, tile by tile, and runs the epilogue (bias, batch-norm affine,
activation, residual add: any pointwise ops of the anchor's result shape, lowered
with the shared kernel description) over each tile right after, while it is in
cache. The iteration space is the anchor's result shape; the epilogue reads the
anchor's value with ``Load``s of the accumulator buffer (role ``acc``) at its own
element, exactly like a GEMM's epilogue.

- convolution: the accumulator is an f32 (f64 for f64) buffer of the result's
  shape, written in place over output 0 when that has the accumulator's dtype;
  rendered by ``render_conv`` (im2col tiles through BLAS, or direct loops).
- reduce_window: the accumulator is a row of registers/stack per output row;
  rendered by ``render_pool``; no accumulator buffer is used (``acc_bytes`` 0).

The geometry is canonicalized to three spatial dims for convolutions (unit dims
prepended: a 1-D convolution is a 3-D one with D = H = 1, the same memory layout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.ir import Operation, SSAValue

from furcate.backends.kernel.desc import Affine, Buffer, Kernel, Load, Store
from furcate.backends.kernel.lower import ACC_DTYPE, NotExpressible, _Emitter, linear, short
from furcate.dtypes import TensorSpec
from furcate.ir.dialect import spec_of

FLOATS = ("f32", "f64", "f16", "bf16")
WINDOW_OPS = ("convolution", "reduce_window")


@dataclass(frozen=True)
class ConvGeom:
    """A convolution in canonical 3-D form (NC DHW x O Cg KdKhKw -> NO DoHoWo)."""

    n: int
    c: int
    o: int
    groups: int
    inp: tuple[int, int, int]
    ker: tuple[int, int, int]
    out: tuple[int, int, int]
    stride: tuple[int, int, int]
    pad: tuple[int, int, int]  # low padding (the high side is implied by ``out``)
    rdil: tuple[int, int, int]
    ldil: tuple[int, int, int]
    ns: int  # spatial rank of the program's op (1..3)
    dtype: str
    acc: str

    @property
    def cg(self) -> int:
        return self.c // self.groups

    @property
    def og(self) -> int:
        return self.o // self.groups

    @property
    def ck(self) -> int:
        return self.cg * math.prod(self.ker)

    @property
    def p(self) -> int:
        return math.prod(self.out)

    @property
    def ip(self) -> int:
        return math.prod(self.inp)

    @property
    def flops(self) -> int:
        return 2 * self.n * self.o * self.p * self.ck

    def pointwise_1x1(self) -> bool:
        """A 1x1 convolution without padding, stride or dilation: the input is already
        the im2col matrix (Cg x P per batch entry and group)."""
        return (self.ker == (1, 1, 1) and self.stride == (1, 1, 1) and self.pad == (0, 0, 0)
                and self.ldil == (1, 1, 1) and self.inp == self.out)


@dataclass(frozen=True)
class PoolGeom:
    """A reduce_window over the operand's dims (any rank), per dim: window, stride, low
    padding, dilation; the input and output shapes."""

    kind: str  # sum | max | min
    inp: tuple[int, ...]
    out: tuple[int, ...]
    window: tuple[int, ...]
    stride: tuple[int, ...]
    pad: tuple[int, ...]
    dil: tuple[int, ...]
    dtype: str
    acc: str

    def trivial(self, dim: int) -> bool:
        """Dim ``dim`` is not windowed: output index = input index."""
        return (self.window[dim], self.stride[dim], self.pad[dim], self.dil[dim]) == (1, 1, 0, 1) \
            and self.inp[dim] == self.out[dim]


@dataclass
class WindowKernel(Kernel):
    """A ``Kernel`` whose anchor is a window op (``window``: ``ConvGeom`` or ``PoolGeom``)
    computed into buffer ``acc_index``; ``dot_in_place`` says the accumulator is output 0;
    ``acc_bytes`` is the workspace the accumulator needs otherwise (0: none)."""

    window: object = None
    acc_index: int = -1
    acc_bytes: int = 0
    x_buffer: int = 0  # buffer of the anchor's operand(s)
    w_buffer: int = -1

    def anchor_loads(self) -> list[int]:
        """Nodes reading the anchor's value (loads of the accumulator)."""
        return [i for i, n in enumerate(self.nodes) if isinstance(n, Load) and n.buffer == self.acc_index]


def _triple(vals, ns: int, fill: int) -> tuple[int, int, int]:
    return tuple([fill] * (3 - ns) + list(vals))


def conv_geom(op: Operation) -> ConvGeom:
    x, w, y = spec_of(op.operands[0]), spec_of(op.operands[1]), spec_of(op.results[0])
    a = op.attrs()
    ns = x.rank - 2
    if ns > 3:
        raise NotExpressible(f"furcate.convolution with {ns} spatial dims")
    if x.dtype not in FLOATS:
        raise NotExpressible(f"furcate.convolution on {x.dtype}")
    pad = tuple(a["padding"])
    return ConvGeom(
        n=x.shape[0], c=x.shape[1], o=w.shape[0], groups=int(a["feature_group_count"]),
        inp=_triple(x.shape[2:], ns, 1), ker=_triple(w.shape[2:], ns, 1), out=_triple(y.shape[2:], ns, 1),
        stride=_triple(a["window_strides"], ns, 1), pad=_triple(pad[0::2], ns, 0),
        rdil=_triple(a["rhs_dilation"], ns, 1), ldil=_triple(a["lhs_dilation"], ns, 1),
        ns=ns, dtype=x.dtype, acc=ACC_DTYPE[x.dtype])


def pool_geom(op: Operation) -> PoolGeom:
    x, y = spec_of(op.operands[0]), spec_of(op.results[0])
    a = op.attrs()
    if x.dtype not in FLOATS:
        raise NotExpressible(f"furcate.reduce_window on {x.dtype}")
    if x.rank == 0:
        raise NotExpressible("furcate.reduce_window of a scalar")
    kind = a["kind"]
    return PoolGeom(kind, tuple(x.shape), tuple(y.shape), tuple(a["window_dimensions"]),
                    tuple(a["window_strides"]), tuple(a["padding"])[0::2], tuple(a["window_dilations"]),
                    x.dtype, ACC_DTYPE[x.dtype] if kind == "sum" else ("f64" if x.dtype == "f64" else "f32"))


def lower_window_group(ops: list[Operation], inputs: list[SSAValue], outputs: list[SSAValue],
                       name: str) -> WindowKernel:
    """The window kernel computing ``outputs`` from ``inputs``: one convolution or
    reduce_window whose operands are inputs, plus a pointwise epilogue of its result's
    shape that reads the anchor's value at its own element."""
    anchors = [op for op in ops if short(op) in WINDOW_OPS]
    if len(anchors) != 1:
        raise NotExpressible("a window kernel needs exactly one convolution or reduce_window")
    anchor = anchors[0]
    in_bufs = {v: i for i, v in enumerate(inputs)}
    operand_bufs = []
    for v in anchor.operands:
        while v not in in_bufs and isinstance(v.owner, Operation) and short(v.owner) == "reshape":
            v = v.owner.operands[0]  # a reshaped input: the same memory, row-major
        if v not in in_bufs:
            raise NotExpressible(f"furcate.{short(anchor)} operand is computed in the group, not an input")
        operand_bufs.append(in_bufs[v])
    res = spec_of(anchor.results[0])
    out_specs = [spec_of(o) for o in outputs]
    if any(s.shape != res.shape for s in out_specs):
        raise NotExpressible(f"window group outputs differ in shape from the {short(anchor)} result")
    is_conv = short(anchor) == "convolution"
    geom = conv_geom(anchor) if is_conv else pool_geom(anchor)
    if res.numel == 0 or (is_conv and geom.ck == 0) or any(n == 0 for n in spec_of(anchor.operands[0]).shape):
        raise NotExpressible(f"furcate.{short(anchor)} with an empty operand or result")
    buffers = [Buffer(f"in{i}", spec_of(v), "in") for i, v in enumerate(inputs)]
    buffers += [Buffer(f"out{i}", s, "out") for i, s in enumerate(out_specs)]
    acc = len(buffers)
    buffers.append(Buffer("acc", TensorSpec(res.shape, geom.acc), "acc"))
    k = WindowKernel(name, "conv" if is_conv else "pool", tuple(res.shape), (), buffers,
                     window=geom, acc_index=acc, x_buffer=operand_bufs[0],
                     w_buffer=operand_bufs[1] if is_conv else -1)
    em = _Emitter(k, k.extents, lambda v: in_bufs.get(v))
    em.acc_value, em.acc_buffer = anchor.results[0], acc
    idx = tuple(Affine.var(i) for i in range(len(res.shape)))
    own = linear(idx, res.shape)
    for j, (o, s) in enumerate(zip(outputs, out_specs)):
        k.stores.append(Store(len(inputs) + j, own, em.value_at(o, idx)))
    if any(k.nodes[i].offset != own for i in k.anchor_loads()):
        raise NotExpressible(f"the epilogue reads the {short(anchor)} result at another element")
    k.block = tuple([1] * len(k.parallel))
    if is_conv:
        # in place over output 0 when it is the accumulator's dtype: the epilogue reads each
        # element before it writes it
        k.dot_in_place = out_specs[0].dtype == geom.acc
        k.acc_bytes = 0 if k.dot_in_place else res.numel * TensorSpec((), geom.acc).np_dtype.itemsize
    return k
