"""The backend-neutral kernel description that C and Triton render from.

A ``Kernel`` is:

- an iteration space: ``parallel`` extents (iteration variables ``0..P-1``)
  and ``reduce`` extents (variables ``P..P+R-1``, only in reduction kernels);
- ``buffers``: the kernel's inputs then outputs (contiguous, row-major);
- ``nodes``: a DAG of scalar nodes in topological order (``Load``, ``Const``,
  ``Index``, ``Op``, ``Reduce``, and -- for renderers that ask -- ``Gather``); every
  load and store addresses its buffer
  through an ``Affine`` map from the iteration variables to the buffer's
  linear element offset -- broadcast (coefficient 0), transpose (permuted
  coefficients), slice (offset + scaled coefficient) and reshape (the same
  linear offset) are maps, never copies;
- ``stores``: which node is written where;
- for ``gemm`` kernels a ``Dot`` computed by a library/tensor-core call into
  an accumulator that the pointwise epilogue reads with ``Load``s of
  buffer ``dot.acc``;
- what a GPU renderer needs: ``block`` (tile extents per parallel variable;
  the reduction is one block) and ``masked()`` (which variables have ragged
  edges under that tiling).

Scalar semantics live in ``scalar.py``; a node's ``dtype`` is the furcate
dtype of its value (f16/bf16 values are computed in f32 by renderers and
rounded when stored or converted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from furcate.dtypes import TensorSpec


@dataclass(frozen=True)
class Affine:
    """``const + sum(coef * iv[var] for var, coef in terms)`` over iteration variables."""

    terms: tuple[tuple[int, int], ...] = ()
    const: int = 0

    @staticmethod
    def var(v: int, coef: int = 1) -> "Affine":
        return Affine(((v, coef),) if coef else ())

    @staticmethod
    def of(terms: dict[int, int], const: int = 0) -> "Affine":
        return Affine(tuple(sorted((v, c) for v, c in terms.items() if c)), const)

    def __add__(self, other: "Affine") -> "Affine":
        t = dict(self.terms)
        for v, c in other.terms:
            t[v] = t.get(v, 0) + c
        return Affine.of(t, self.const + other.const)

    def scale(self, k: int) -> "Affine":
        return Affine.of({v: c * k for v, c in self.terms}, self.const * k)

    def shift(self, k: int) -> "Affine":
        return Affine(self.terms, self.const + k)

    def coef(self, v: int) -> int:
        return dict(self.terms).get(v, 0)

    def vars(self) -> set[int]:
        return {v for v, _ in self.terms}

    def max_value(self, extents: tuple[int, ...]) -> int:
        """Largest value over the iteration space (coefficients may be negative)."""
        return self.const + sum(c * (extents[v] - 1) for v, c in self.terms if c > 0)


@dataclass(frozen=True)
class Buffer:
    name: str
    spec: TensorSpec
    role: str  # "in" | "out" | "const" (data in Kernel.const_data) | "acc" (written by the Dot)


@dataclass(frozen=True)
class Load:
    buffer: int
    offset: Affine
    dtype: str


@dataclass(frozen=True)
class Gather:
    """A load at a data-dependent position (index_select, embedding lookup): element
    ``offset + clamp(value of node index, 0, extent - 1) * stride`` of ``buffer``. Only
    produced when the renderer asks for it (``lower_group(..., gather=True)``)."""

    buffer: int
    offset: Affine
    index: int
    stride: int
    extent: int
    dtype: str


@dataclass(frozen=True)
class Const:
    value: object  # python float / int / bool, exact in ``dtype``
    dtype: str


@dataclass(frozen=True)
class Index:
    """An iota: the value of an affine expression of the iteration variables."""

    expr: Affine
    dtype: str


@dataclass(frozen=True)
class Op:
    """A scalar primitive of ``scalar.py`` applied to earlier nodes."""

    prim: str
    args: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class Reduce:
    """Reduces node ``arg`` over the kernel's reduction variables.

    ``acc`` is the accumulator dtype (f32 for f16/bf16 sums, f64 for f64)."""

    kind: str  # sum | prod | max | min | and | or
    arg: int
    dtype: str
    acc: str


Node = Load | Gather | Const | Index | Op | Reduce


@dataclass(frozen=True)
class Store:
    buffer: int
    offset: Affine
    value: int


@dataclass(frozen=True)
class Operand:
    """A dot operand: buffer, base offset and per-dim strides (elements) for
    (batch dims..., then the M (or N) dim, then the K dim). ``batch_strides`` has one
    stride per entry of ``Dot.batch``."""

    buffer: int
    offset: int
    batch_strides: tuple[int, ...]
    rows_stride: int  # stride along M (lhs) or N (rhs)
    k_stride: int


@dataclass(frozen=True)
class Dot:
    """``acc[b, m, n] = sum_k lhs[b, m, k] * rhs[b, n, k]`` (accumulated in ``acc_dtype``).

    ``batch`` is a multi-dim batch: its entries are the ``dot_general``'s batch dims, or
    finer factors of them where an operand does not move along a batch dim with one
    stride (heads merged into the batch after a transpose: ``[B*H]`` read as ``(B, H)``),
    plus outer factors of M that are not one stride (the rhs has stride 0 along them).
    Each operand has one stride per entry; the accumulator buffer is row-major
    ``batch + (m, n)`` then (the result's layout, factored), and a kernel whose output
    is the result iterates over that factored space."""

    lhs: Operand
    rhs: Operand
    batch: tuple[int, ...]
    m: int
    n: int
    k: int
    acc: int  # buffer index of the accumulator (role "acc", shape batch + (m, n))
    dtype: str
    acc_dtype: str


@dataclass
class Kernel:
    name: str
    kind: str  # pointwise | reduction | gemm
    parallel: tuple[int, ...]
    reduce: tuple[int, ...]
    buffers: list[Buffer]
    nodes: list = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    dot: Dot | None = None
    block: tuple[int, ...] = ()
    const_data: dict = field(default_factory=dict)  # buffer index -> ndarray (role "const")
    dot_in_place: bool = False  # the epilogue may write over the accumulator (output 0 is the acc)

    @property
    def n_vars(self) -> int:
        return len(self.parallel) + len(self.reduce)

    @property
    def extents(self) -> tuple[int, ...]:
        return self.parallel + self.reduce

    def inputs(self) -> list[int]:
        return [i for i, b in enumerate(self.buffers) if b.role == "in"]

    def outputs(self) -> list[int]:
        return [i for i, b in enumerate(self.buffers) if b.role == "out"]

    def inner(self) -> list[bool]:
        """Per node: does it vary with the reduction variables (outside a ``Reduce``)?"""
        red = set(range(len(self.parallel), self.n_vars))
        out: list[bool] = []
        for n in self.nodes:
            if isinstance(n, (Load, Index)):
                expr = n.offset if isinstance(n, Load) else n.expr
                out.append(bool(expr.vars() & red))
            elif isinstance(n, Gather):
                out.append(bool(n.offset.vars() & red) or out[n.index])
            elif isinstance(n, Op):
                out.append(any(out[a] for a in n.args))
            else:
                out.append(False)
        return out

    def reductions(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if isinstance(n, Reduce)]

    def deps(self, root: int, stop_at_reduce: bool = True) -> list[int]:
        """Nodes ``root`` depends on (itself included), in topological order."""
        seen: set[int] = set()
        stack = [root]
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            n = self.nodes[i]
            if isinstance(n, Op):
                stack.extend(n.args)
            elif isinstance(n, Gather):
                stack.append(n.index)
            elif isinstance(n, Reduce) and not stop_at_reduce:
                stack.append(n.arg)
        return sorted(seen)

    def masked(self) -> tuple[bool, ...]:
        """Per parallel variable: does its block tiling leave a ragged edge (needs a mask)?"""
        return tuple(e % b != 0 for e, b in zip(self.parallel, self.block))

    def describe(self) -> str:
        lines = [f"kernel {self.name} [{self.kind}] parallel={list(self.parallel)} reduce={list(self.reduce)}"]
        for i, b in enumerate(self.buffers):
            lines.append(f"  buf{i} {b.role} {b.name}: {b.spec}")
        if self.dot is not None:
            lines.append(f"  dot {self.dot}")
        for i, n in enumerate(self.nodes):
            lines.append(f"  %{i} = {n}")
        for s in self.stores:
            lines.append(f"  store buf{s.buffer}[{s.offset}] = %{s.value}")
        return "\n".join(lines)
