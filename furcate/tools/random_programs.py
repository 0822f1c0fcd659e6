"""Hypothesis strategies for random well-typed furcate programs, for the differential
tests and ``furcate fuzz`` (needs ``hypothesis``: the ``test`` extra); their check,
``check_against_numpy``, is ``differential.py``'s, re-exported here.

    @given(random_programs.programs(max_ops=6, dtypes=("f32", "i32")))
    def test_x(case):
        program, inputs = case
        random_programs.check_against_numpy(program, inputs, "c")

Programs are random DAGs over a pool of values (inputs, constants, iota) built with
``GraphBuilder``: elementwise unary/binary ops, compare/select/clamp, convert, layout
ops (broadcast_in_dim, transpose, reshape, slice, concatenate, pad), reduce,
argmax/argmin, cumulative, dot_general, gather, gather_along, scatter_add, convolution
and reduce_window, over inputs, inline constants, held constants (constant_ref) and
iota. Shapes include 0- and 1-sized dims and rank 0; inputs hold NaN, ±inf, -0.0, halves (rounding ties) and integer edge
values (INT_MIN, INT_MAX, -1, 0).

Backends may legitimately differ in the last bits of float arithmetic (libm, FMA,
f16/bf16 computed in f32 inside a fused kernel). So ops whose result jumps on a tiny
change of a float operand (floor/ceil/round, sign, compare, is_finite, float rem,
float->int convert, argmax) and overflow-prone ones (exp, expm1) only take *exact*
float operands: inputs, constants and values made from them by exact ops (layout
ops, neg, abs, max, min, select, clamp, max/min reductions). Integer and i1 values
are always exact (integer arithmetic wraps; it is defined bit for bit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from furcate.dtypes import DTYPES, FLOAT_DTYPES, INT_DTYPES, TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.ir.program import Program
from furcate.tools.differential import check_against_numpy  # noqa: F401 (the generator's check)

FLOAT_UNARY = ("exp", "expm1", "log", "log1p", "tanh", "sqrt", "rsqrt", "logistic", "erf", "sin", "cos",
               "floor", "ceil", "round_nearest_even", "round_nearest_afz")
NUMERIC_UNARY = ("neg", "abs", "sign")
NUMERIC_BINARY = ("add", "sub", "mul", "div", "rem", "max", "min")
FLOAT_BINARY = ("pow", "atan2", "hypot")
BITWISE = ("and", "or", "xor")
# float ops that need exact operands (see the module docstring)
NEEDS_EXACT = {"floor", "ceil", "round_nearest_even", "round_nearest_afz", "sign", "exp", "expm1", "rem",
               "compare", "is_finite", "argmax", "argmin"}
# elementwise ops whose result is exact when their operands are (IEEE-exact everywhere);
# layout ops, select, clamp, convert and max/min reductions pass ``exact`` on themselves
EXACT_ELEMENTWISE = {"neg", "abs", "sign", "floor", "ceil", "round_nearest_even", "round_nearest_afz",
                     "max", "min", "rem"}

ELEMENTWISE_OPS = frozenset(
    FLOAT_UNARY + NUMERIC_UNARY + NUMERIC_BINARY + FLOAT_BINARY + BITWISE
    + ("not", "is_finite", "compare", "select", "clamp", "convert")
)
LAYOUT_OPS = frozenset({"broadcast_in_dim", "transpose", "reshape", "slice", "concatenate", "pad"})
OTHER_OPS = frozenset({"reduce", "argmax", "argmin", "cumulative", "dot_general", "gather", "gather_along",
                       "scatter_add", "convolution", "reduce_window", "constant", "constant_ref", "iota"})
ALL_STRATEGY_OPS = ELEMENTWISE_OPS | LAYOUT_OPS | OTHER_OPS

MAX_NUMEL = 256  # keep every intermediate small


# ---------------------------------------------------------------------------
# input data


def random_array(spec: TensorSpec, rng: np.random.Generator, special_rate: float = 0.2) -> np.ndarray:
    """Random data for ``spec`` with edge values mixed in at ``special_rate``."""
    n = spec.numel
    dt = spec.np_dtype
    if spec.dtype == "i1":
        return (rng.random(n) < 0.5).reshape(spec.shape)
    special = rng.random(n) < special_rate
    if spec.dtype in INT_DTYPES:
        info = np.iinfo(dt)
        vals = rng.integers(-5, 6, n).astype(dt)
        edges = np.array([info.min, info.max, -1, 0, 1, info.min + 1], dtype=dt)
        vals[special] = rng.choice(edges, int(special.sum()))
        return vals.reshape(spec.shape)
    vals = rng.uniform(-4, 4, n)
    halves = rng.random(n) < 0.2  # rounding ties: 0.5, -2.5, ...
    vals[halves] = np.round(vals[halves] * 2) / 2
    edges = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 2.5])
    vals[special] = rng.choice(edges, int(special.sum()))
    return vals.astype(dt).reshape(spec.shape)


def random_inputs(specs, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [random_array(s, rng) for s in specs]


# ---------------------------------------------------------------------------
# program generation


class ProgramCase(tuple):
    """``(program, inputs)``, shown as IR text when hypothesis reports a failing example."""

    def __repr__(self) -> str:
        program, inputs = self
        shown = "\n".join(f"  arg{i} = {np.array2string(a, threshold=64)}" for i, a in enumerate(inputs))
        return f"ProgramCase(\n{program.text()}inputs:\n{shown})"


@dataclass
class _Val:
    value: object  # SSAValue
    spec: TensorSpec
    exact: bool


class _Gen:
    """State of one program being drawn: the builder, the value pool, the options."""

    def __init__(self, draw, dtypes, ops):
        self.draw = draw
        self.dtypes = tuple(dtypes)
        self.ops = ops
        self.b = GraphBuilder()
        self.pool: list[_Val] = []
        self.rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def pick(self, cond=lambda v: True) -> _Val | None:
        cands = [v for v in self.pool if cond(v)]
        if not cands:
            return None
        return cands[self.draw(st.integers(0, len(cands) - 1))]

    def choice(self, names) -> str:
        """An op name, uniformly (hypothesis's own choice favours the first entries)."""
        names = sorted(names)
        return names[int(self.rng.integers(len(names)))]

    def add(self, value, exact: bool) -> _Val:
        from furcate.ir.builder import spec

        v = _Val(value, spec(value), exact or spec(value).dtype not in FLOAT_DTYPES)
        self.pool.append(v)
        return v

    def op(self, name, *vals: _Val, exact: bool = False, **props) -> _Val:
        return self.add(self.b.op(name, *(v.value for v in vals), **props), exact)

    def ok(self, name: str, v: _Val) -> bool:
        """May ``name`` take ``v`` as a float operand?"""
        return name not in NEEDS_EXACT or v.exact or v.spec.dtype not in FLOAT_DTYPES


def _small(spec: TensorSpec) -> bool:
    return spec.numel <= MAX_NUMEL


def _shapes():
    return st.lists(st.sampled_from([2, 3, 1, 4, 0, 5]), min_size=0, max_size=3).map(tuple)


# each family returns a new value or None when it does not apply to the pool


def _first_operand(g: _Gen, name: str, float_ops, logical_ops) -> _Val | None:
    """A first operand for elementwise op ``name``: a float for ``float_ops``, an integer or i1
    for ``logical_ops``, a float or an integer for the others (None when the pool has none)."""
    if name in float_ops:
        allowed = FLOAT_DTYPES
    elif name in logical_ops:
        allowed = INT_DTYPES + ("i1",)
    else:
        allowed = FLOAT_DTYPES + INT_DTYPES
    return g.pick(lambda v: v.spec.dtype in allowed and g.ok(name, v))


def _unary(g: _Gen):
    name = g.choice(g.ops & set(FLOAT_UNARY + NUMERIC_UNARY + ("not", "is_finite")))
    x = _first_operand(g, name, FLOAT_UNARY + ("is_finite",), ("not",))
    if x is None:
        return None
    return g.op(name, x, exact=x.exact and name in EXACT_ELEMENTWISE)


def _binary(g: _Gen):
    name = g.choice(g.ops & set(NUMERIC_BINARY + FLOAT_BINARY + BITWISE))
    x = _first_operand(g, name, FLOAT_BINARY, BITWISE)
    if x is None:
        return None
    y = g.pick(lambda v: v.spec == x.spec and g.ok(name, v))
    exact = name in EXACT_ELEMENTWISE and x.exact and y.exact
    return g.op(name, x, y, exact=exact)


def _compare(g: _Gen, x: _Val | None = None):
    x = x or g.pick(lambda v: g.ok("compare", v))
    if x is None:
        return None
    y = g.pick(lambda v: v.spec == x.spec and g.ok("compare", v))
    direction = g.choice(["EQ", "NE", "LT", "LE", "GT", "GE"])
    return g.op("compare", x, y, comparison_direction=direction, exact=True)


def _select(g: _Gen):
    x = g.pick()
    y = g.pick(lambda v: v.spec == x.spec)
    pred = g.pick(lambda v: v.spec == TensorSpec(x.spec.shape, "i1"))
    if pred is None:
        if not g.ok("compare", x) or "compare" not in g.ops:
            return None
        pred = _compare(g, x)
    return g.op("select", pred, x, y, exact=x.exact and y.exact)


def _clamp(g: _Gen):
    x = g.pick(lambda v: v.spec.dtype != "i1")
    if x is None:
        return None
    lo = g.pick(lambda v: v.spec == x.spec)
    hi = g.pick(lambda v: v.spec == x.spec)
    return g.op("clamp", lo, x, hi, exact=lo.exact and x.exact and hi.exact)


def _convert(g: _Gen):
    dtype = g.draw(st.sampled_from(g.dtypes))
    to_exact = dtype not in FLOAT_DTYPES
    x = g.pick(lambda v: v.spec.dtype != dtype and (v.exact or not to_exact))
    if x is None:
        return None
    return g.op("convert", x, dtype=dtype, exact=x.exact)


def _broadcast(g: _Gen):
    x = g.pick(lambda v: v.spec.rank <= 3)
    if x is None:
        return None
    extra = g.draw(st.lists(st.sampled_from([2, 1, 3]), max_size=4 - x.spec.rank))
    rank = x.spec.rank + len(extra)
    positions = sorted(g.draw(st.permutations(range(rank)))[: x.spec.rank])
    shape = [0] * rank
    for i, p in enumerate(positions):
        n = x.spec.shape[i]
        shape[p] = g.draw(st.sampled_from([1, 2, 3])) if n == 1 else n
    free = [p for p in range(rank) if p not in positions]
    for p, n in zip(free, extra):
        shape[p] = n
    if not _small(TensorSpec(shape, x.spec.dtype)):
        return None
    return g.op("broadcast_in_dim", x, broadcast_dimensions=positions, shape=shape, exact=x.exact)


def _transpose(g: _Gen):
    x = g.pick()
    perm = g.draw(st.permutations(range(x.spec.rank)))
    return g.op("transpose", x, permutation=list(perm), exact=x.exact)


def _reshape(g: _Gen):
    x = g.pick()
    s = list(x.spec.shape)
    options = [[x.spec.numel], s + [1], [1] + s]
    if x.spec.numel == 1:
        options.append([])
    if len(s) >= 2:
        i = g.draw(st.integers(0, len(s) - 2))
        options.append(s[:i] + [s[i] * s[i + 1]] + s[i + 2 :])
    if x.spec.numel % 2 == 0 and x.spec.numel > 0:
        options.append([2, x.spec.numel // 2])
    shape = g.draw(st.sampled_from(options))
    return g.op("reshape", x, shape=shape, exact=x.exact)


def _slice(g: _Gen):
    x = g.pick()
    start, limit, strides = [], [], []
    for n in x.spec.shape:
        a = g.draw(st.integers(0, n))
        b = g.draw(st.integers(a, n))
        start.append(a)
        limit.append(b)
        strides.append(g.draw(st.integers(1, 3)))
    return g.op("slice", x, start_indices=start, limit_indices=limit, strides=strides, exact=x.exact)


def _concatenate(g: _Gen):
    x = g.pick(lambda v: v.spec.rank >= 1)
    if x is None:
        return None
    d = g.draw(st.integers(0, x.spec.rank - 1))
    others = [v for v in g.pool if v.spec.dtype == x.spec.dtype and v.spec.rank == x.spec.rank
              and all(v.spec.shape[i] == x.spec.shape[i] for i in range(x.spec.rank) if i != d)]
    y = others[g.draw(st.integers(0, len(others) - 1))]
    shape = list(x.spec.shape)
    shape[d] += y.spec.shape[d]
    if not _small(TensorSpec(shape, x.spec.dtype)):
        return None
    return g.op("concatenate", x, y, dimension=d, exact=x.exact and y.exact)


def _pad(g: _Gen):
    x = g.pick()
    lo, hi, interior = [], [], []
    for n in x.spec.shape:
        it = g.draw(st.integers(0, 1))
        size = n + max(n - 1, 0) * it
        low = g.draw(st.integers(-min(1, size), 2))
        high = g.draw(st.integers(-min(1, size + low), 2))
        lo.append(low)
        hi.append(high)
        interior.append(it)
    value = g.b.scalar(random_array(TensorSpec((), x.spec.dtype), g.rng, 0.5), x.spec.dtype)
    out = g.b.op("pad", x.value, value, edge_padding_low=lo, edge_padding_high=hi, interior_padding=interior)
    return g.add(out, x.exact)


def _reduce(g: _Gen):
    x = g.pick()
    if x.spec.dtype == "i1":
        kind = g.draw(st.sampled_from(["and", "or"]))
    elif x.spec.dtype in INT_DTYPES:
        kind = g.draw(st.sampled_from(["sum", "max", "min", "prod", "and", "or"]))
    else:
        kind = g.draw(st.sampled_from(["sum", "max", "min", "prod"]))
    dims = sorted(g.draw(st.sets(st.integers(0, x.spec.rank - 1))) if x.spec.rank else [])
    exact = x.exact and kind in ("max", "min")
    return g.op("reduce", x, kind=kind, dimensions=dims, exact=exact)


def _arg_reduce(g: _Gen):
    name = g.choice(g.ops & {"argmax", "argmin"})
    idx = [t for t in ("i64", "i32") if t in g.dtypes]
    x = g.pick(lambda v: v.spec.dtype != "i1" and v.spec.rank >= 1 and g.ok(name, v)
               and any(n > 0 for n in v.spec.shape))
    if x is None or not idx:
        return None
    d = g.draw(st.sampled_from([i for i, n in enumerate(x.spec.shape) if n > 0]))
    return g.op(name, x, dimension=d, index_dtype=g.draw(st.sampled_from(idx)), exact=True)


def _cumulative(g: _Gen):
    x = g.pick(lambda v: v.spec.dtype != "i1" and v.spec.rank >= 1)
    if x is None:
        return None
    kind = g.draw(st.sampled_from(["sum", "max", "min", "prod"]))
    d = g.draw(st.integers(0, x.spec.rank - 1))
    return g.op("cumulative", x, kind=kind, dimension=d, reverse=g.draw(st.booleans()),
                exact=x.exact and kind in ("max", "min"))


def _dot_general(g: _Gen):
    x = g.pick(lambda v: v.spec.dtype != "i1" and v.spec.rank >= 1)
    if x is None:
        return None
    cx = g.draw(st.integers(0, x.spec.rank - 1))
    y = g.pick(lambda v: v.spec.dtype == x.spec.dtype and x.spec.shape[cx] in v.spec.shape)
    cy = g.draw(st.sampled_from([i for i, n in enumerate(y.spec.shape) if n == x.spec.shape[cx]]))
    lb, rb = [], []
    pairs = [(i, j) for i in range(x.spec.rank) for j in range(y.spec.rank)
             if i != cx and j != cy and x.spec.shape[i] == y.spec.shape[j]]
    if pairs and g.draw(st.booleans()):
        i, j = g.draw(st.sampled_from(pairs))
        lb, rb = [i], [j]
    out_rank = x.spec.rank + y.spec.rank - 2 - len(lb)
    out_numel = x.spec.numel * y.spec.numel
    if out_rank > 4 or out_numel > 4 * MAX_NUMEL:
        return None
    return g.op("dot_general", x, y, lhs_batching_dimensions=lb, rhs_batching_dimensions=rb,
                lhs_contracting_dimensions=[cx], rhs_contracting_dimensions=[cy])


def _gather(g: _Gen):
    idx = [t for t in ("i32", "i64", "i8") if t in g.dtypes]
    x = g.pick(lambda v: v.spec.rank >= 1 and any(n > 0 for n in v.spec.shape))
    if x is None or not idx:
        return None
    axis = g.draw(st.sampled_from([i for i, n in enumerate(x.spec.shape) if n > 0]))
    ishape = g.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    n = x.spec.shape[axis]
    indices = g.rng.integers(-1, n + 1, size=ishape)  # out of range ones are clamped
    out_numel = x.spec.numel // n * int(np.prod(ishape))
    if out_numel > MAX_NUMEL:
        return None
    ix = g.add(g.b.constant(indices, dtype=g.draw(st.sampled_from(idx))), True)
    return g.op("gather", x, ix, axis=axis, exact=x.exact)


def _index_constant(g: _Gen, shape, n: int) -> _Val | None:
    """A constant of indices into a dim of size ``n``, one past each end included (gathers
    clamp them, scatter_add drops them)."""
    idx = [t for t in ("i32", "i64", "i8") if t in g.dtypes]
    if not idx:
        return None
    values = g.rng.integers(-1, n + 1, size=shape)
    return g.add(g.b.constant(values, dtype=g.draw(st.sampled_from(idx))), True)


def _gather_along(g: _Gen):
    x = g.pick(lambda v: v.spec.rank >= 1 and any(n > 0 for n in v.spec.shape))
    if x is None:
        return None
    axis = g.draw(st.sampled_from([i for i, n in enumerate(x.spec.shape) if n > 0]))
    shape = [g.draw(st.integers(1, 3)) if i == axis else g.draw(st.integers(0, n))
             for i, n in enumerate(x.spec.shape)]
    ix = _index_constant(g, shape, x.spec.shape[axis])
    if ix is None:
        return None
    return g.op("gather_along", x, ix, axis=axis, exact=x.exact)


def _scatter_add(g: _Gen):
    x = g.pick(lambda v: v.spec.dtype != "i1" and v.spec.rank >= 1 and any(n > 0 for n in v.spec.shape))
    if x is None:
        return None
    axis = g.draw(st.sampled_from([i for i, n in enumerate(x.spec.shape) if n > 0]))
    ishape = tuple(g.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    uspec = TensorSpec(x.spec.shape[:axis] + ishape + x.spec.shape[axis + 1:], x.spec.dtype)
    if not _small(uspec):
        return None
    ix = _index_constant(g, ishape, x.spec.shape[axis])
    if ix is None:
        return None
    up = g.pick(lambda v: v.spec == uspec) or g.add(g.b.constant(random_array(uspec, g.rng)), True)
    return g.op("scatter_add", x, ix, up, axis=axis)  # float sums: not exact


def _conv_input(g: _Gen) -> _Val | None:
    """A float value shaped N, C, spatial... (rank 3 or 4, C and spatial dims >= 1): one of the
    pool, or a pool value reshaped to (1, C, W)."""
    x = g.pick(lambda v: v.spec.dtype in FLOAT_DTYPES and v.spec.rank in (3, 4) and min(v.spec.shape[1:]) >= 1)
    if x is not None:
        return x
    x = g.pick(lambda v: v.spec.dtype in FLOAT_DTYPES and 1 <= v.spec.numel <= 64)
    if x is None or "reshape" not in g.ops:
        return None
    c = 2 if x.spec.numel % 2 == 0 and g.draw(st.booleans()) else 1
    return g.op("reshape", x, shape=[1, c, x.spec.numel // c], exact=x.exact)


def _convolution(g: _Gen):
    x = _conv_input(g)
    if x is None:
        return None
    n_sp = x.spec.rank - 2
    c = x.spec.shape[1]
    groups = g.draw(st.sampled_from(sorted({1, c})))
    kernel = [g.draw(st.integers(1, 3)) for _ in range(n_sp)]
    wspec = TensorSpec((groups * g.draw(st.integers(1, 2)), c // groups, *kernel), x.spec.dtype)
    w = g.pick(lambda v: v.spec == wspec) or g.add(g.b.constant(random_array(wspec, g.rng, 0.05)), True)
    props = dict(
        window_strides=[g.draw(st.integers(1, 2)) for _ in range(n_sp)],
        padding=[g.draw(st.integers(0, 1)) for _ in range(2 * n_sp)],
        lhs_dilation=[g.draw(st.sampled_from([1, 1, 2])) for _ in range(n_sp)],
        rhs_dilation=[g.draw(st.integers(1, 2)) for _ in range(n_sp)],
        feature_group_count=groups,
    )
    from furcate.ir.shapes import convolution

    (out,) = convolution([x.spec, wspec], props)
    if not _small(out):
        return None
    return g.op("convolution", x, w, **props)


def _reduce_window(g: _Gen):
    x = g.pick(lambda v: v.spec.dtype != "i1" and v.spec.rank >= 1 and v.spec.numel > 0)
    if x is None:
        return None
    kind = g.draw(st.sampled_from(["sum", "max", "min"]))
    r = x.spec.rank
    return g.op("reduce_window", x, kind=kind,
                window_dimensions=[g.draw(st.integers(1, min(3, n))) for n in x.spec.shape],
                window_strides=[g.draw(st.integers(1, 2)) for _ in range(r)],
                padding=[g.draw(st.integers(0, 1)) for _ in range(2 * r)],
                window_dilations=[g.draw(st.sampled_from([1, 1, 2])) for _ in range(r)],
                exact=x.exact and kind in ("max", "min"))


def _leaf(g: _Gen):
    """A new constant (inline, or held by the program: ``constant_ref``) or iota."""
    dtype = g.draw(st.sampled_from(g.dtypes))
    kinds = sorted(g.ops & {"constant", "constant_ref", "iota"})
    kind = kinds[g.draw(st.integers(0, len(kinds) - 1))]
    if kind == "constant_ref":  # more elements than builder.INLINE_CONSTANT_LIMIT
        spec = TensorSpec(g.draw(st.sampled_from([(17,), (4, 5), (3, 2, 3), (2, 3, 4)])), dtype)
    else:
        spec = TensorSpec(g.draw(_shapes()), dtype)
    if kind == "iota":
        if not spec.rank or dtype == "i1":
            return None
        return g.add(g.b.op("iota", spec=spec, iota_dimension=g.draw(st.integers(0, spec.rank - 1))), True)
    return g.add(g.b.constant(random_array(spec, g.rng)), True)


def _one_op_each(**families):
    """``(family, {op}, 1)`` rows of ``FAMILIES`` for families that make one op each (keyword: the op)."""
    return [(family, {op}, 1) for op, family in families.items()]


# (family, op names it makes, weight); the order is part of what a seed draws
FAMILIES = [
    (_unary, set(FLOAT_UNARY + NUMERIC_UNARY + ("not", "is_finite")), 4),
    (_binary, set(NUMERIC_BINARY + FLOAT_BINARY + BITWISE), 4),
    *_one_op_each(compare=_compare, select=_select, clamp=_clamp),
    (_convert, {"convert"}, 2),
    *_one_op_each(broadcast_in_dim=_broadcast, transpose=_transpose, reshape=_reshape, slice=_slice,
                  concatenate=_concatenate, pad=_pad),
    (_reduce, {"reduce"}, 2),
    (_arg_reduce, {"argmax", "argmin"}, 1),
    *_one_op_each(cumulative=_cumulative, dot_general=_dot_general, gather=_gather, gather_along=_gather_along,
                  scatter_add=_scatter_add, convolution=_convolution, reduce_window=_reduce_window),
    (_leaf, {"constant", "constant_ref", "iota"}, 1),
]


@st.composite
def programs(draw, max_ops: int = 6, dtypes=DTYPES, ops=ALL_STRATEGY_OPS, max_inputs: int = 3):
    """A random well-typed ``(Program, inputs)``: up to ``max_ops`` ops over values of
    ``dtypes``, using only op names in ``ops`` (see ``ALL_STRATEGY_OPS``)."""
    dtypes = tuple(dtypes)
    ops = frozenset(ops)
    unknown = ops - ALL_STRATEGY_OPS
    assert not unknown, f"programs(): no generator for ops {sorted(unknown)}"
    g = _Gen(draw, dtypes, ops)
    base = draw(_shapes())
    n_inputs = draw(st.integers(1, max_inputs))
    specs = []
    for _ in range(n_inputs):
        shape = base if draw(st.integers(0, 3)) else draw(_shapes())
        specs.append(TensorSpec(shape, draw(st.sampled_from(dtypes))))
    if draw(st.booleans()):  # a second value of the same spec makes binary ops likelier
        specs.append(specs[0])
    for s in specs:
        g.add(g.b.arg(s), True)
    families = [f for f, names, weight in FAMILIES if names & ops for _ in range(weight)]
    made: list[_Val] = []
    for _ in range(draw(st.integers(1, max_ops))):
        family = draw(st.sampled_from(families))
        v = family(g)
        if v is not None:
            made.append(v)
    results = [made[-1] if made else g.pool[0]]
    extra = draw(st.lists(st.sampled_from(g.pool), max_size=2))
    prog = g.b.finish([v.value for v in results + extra])
    return ProgramCase((prog, random_inputs(specs, draw(st.integers(0, 2**32 - 1)))))


# ---------------------------------------------------------------------------
# the differential check
