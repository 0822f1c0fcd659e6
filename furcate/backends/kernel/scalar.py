"""The scalar op table: the ONE place that says what each furcate elementwise op
computes on one element, shared by every kernel renderer (C, Triton).

A furcate op lowers to one primitive scalar op, or expands into several
(``clamp`` = ``min(max(x, lo), hi)``, ``rsqrt`` stays primitive so a renderer
may use a fast instruction). Renderers only map *primitives* to expressions;
they never see furcate ops. Each primitive's semantics:

====================  ==========================================================
primitive             semantics (floats are IEEE; f16/bf16 computed in f32)
====================  ==========================================================
add sub mul           integers wrap (two's complement)
div                   floats IEEE; integers truncate, x/0 = -1, INT_MIN/-1 = INT_MIN
rem                   floats: C fmod (sign of dividend); ints: x%0 = x, INT_MIN%-1 = 0
pow                   floats: C pow; ints: b<0 -> 1 if a==1, ±1 if a==-1, else 0
max min               NaN propagates (either operand NaN -> NaN)
and or xor not        logical on i1, bitwise on integers
neg abs sign          sign keeps ±0 and NaN; integer neg/abs wrap
exp expm1 log log1p   IEEE edge cases: exp(-inf)=0, log(0)=-inf, log(<0)=NaN
tanh logistic erf     saturate to ±1 / 0..1 exactly at large |x|; NaN -> NaN
sqrt rsqrt            rsqrt = 1/sqrt(x)
sin cos atan2
floor ceil            round_even = half to even, round_afz = half away from zero
is_finite             -> i1
eq ne lt le gt ge     -> i1; NaN compares unequal (only ne is true)
select                args (pred, on_true, on_false)
convert               float->int truncates, saturates, NaN -> 0; x->i1 is x != 0;
                      int->int wraps; to f16/bf16 rounds to nearest even
====================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from furcate.ir import op_table

# the primitives of the op table's unary and binary ops (``ir/op_table.py``), plus is_finite
UNARY = tuple(e.prim for e in op_table.UNARY) + ("is_finite",)
BINARY = tuple(e.prim for e in op_table.BINARY)
COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
OTHER = ("select", "convert")

PRIMITIVES = frozenset(UNARY + BINARY + COMPARE + OTHER)

# furcate op name -> primitive (1:1 renames)
_RENAME = {e.name: e.prim for e in op_table.TABLE if e.prim != e.name}


@dataclass(frozen=True)
class Expansion:
    """How a furcate op becomes scalar primitives: ``steps`` are (primitive, arg refs),
    where an int ref is the op's operand index and ``("t", k)`` the k-th step's result;
    the last step is the op's value."""

    steps: tuple


# ops that are not one primitive
_EXPAND = {
    # stablehlo clamp(min, operand, max)
    "clamp": Expansion((("max", (1, 0)), ("min", (("t", 0), 2)))),
}


def elementwise_ops() -> frozenset[str]:
    """furcate op names (without the ``furcate.`` prefix) the table can lower."""
    names = {n for n in UNARY + BINARY if n not in _RENAME.values()}
    return frozenset(names | set(_RENAME) | set(_EXPAND) | {"compare", "select", "convert"})


def lower_op(opname: str, args: list, attrs: dict, emit) -> object:
    """Lower furcate op ``opname`` applied to scalar ``args`` (node refs) through
    ``emit(primitive, args)``; returns the result ref. ``compare`` uses its
    ``comparison_direction``; ``convert``'s target dtype is the caller's result dtype."""
    if opname == "compare":
        return emit(attrs["comparison_direction"].lower(), args)
    if opname in _EXPAND:
        results = []
        for prim, refs in _EXPAND[opname].steps:
            results.append(emit(prim, [results[r[1]] if isinstance(r, tuple) else args[r] for r in refs]))
        return results[-1]
    prim = _RENAME.get(opname, opname)
    if prim not in PRIMITIVES:
        raise KeyError(opname)
    return emit(prim, args)


def result_is_bool(prim: str) -> bool:
    return prim in COMPARE or prim == "is_finite"
