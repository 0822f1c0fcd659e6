"""Differential tests: random well-typed programs (furcate/tools/random_programs.py) run on every
available backend and agree with the numpy reference; the numpy backend itself keeps
its output contract and agrees with a direct NumPy evaluation of elementwise programs."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from furcate.backends import BackendUnavailable, get_backend, targets
from furcate.compiler import compile_program
from furcate.dtypes import DTYPES, FLOAT_DTYPES
from furcate.ir.dialect import ConvertOp
from furcate.ir.types import spec_of_type

from furcate.tools.random_programs import check_against_numpy, programs
from tests.tolerance import assert_close

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _available(target: str) -> None:
    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")


@pytest.mark.parametrize("target", [t for t in targets() if t != "numpy"])
def test_backend_agrees_with_numpy(target):
    _available(target)

    @SETTINGS
    @given(programs(max_ops=6))
    def run(case):
        program, inputs = case
        check_against_numpy(program, inputs, target)

    run()


@SETTINGS
@given(programs(max_ops=8))
def test_numpy_outputs_have_declared_specs_and_are_fresh(case):
    program, inputs = case
    saved = [a.copy() for a in inputs]
    exe = compile_program(program.clone(), "numpy")
    first = exe(*inputs)
    assert len(first) == len(program.output_specs)
    for out, spec in zip(first, program.output_specs):
        assert isinstance(out, np.ndarray)
        assert (out.shape, out.dtype) == (spec.shape, spec.np_dtype), f"{out.dtype}{list(out.shape)} vs {spec}"
        assert not any(np.may_share_memory(out, a) for a in inputs), "an output aliases an input"
    kept = [o.copy() for o in first]
    second = exe(*inputs)
    for i, (a, b, k) in enumerate(zip(first, second, kept)):
        assert a.tobytes() == k.tobytes(), f"output {i} of the first call was overwritten by the second"
        assert a.tobytes() == b.tobytes(), f"output {i} differs between two calls (not deterministic)"
        assert not np.may_share_memory(a, b)
    for a, s in zip(inputs, saved):
        assert a.tobytes() == s.tobytes(), "the numpy backend wrote into an input"


# ---------------------------------------------------------------------------
# an independent evaluation of elementwise programs with NumPy ufuncs

_UFUNCS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum, "min": np.minimum,
    "neg": np.negative, "abs": np.abs, "exp": np.exp, "tanh": np.tanh, "log": np.log, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "floor": np.floor, "ceil": np.ceil, "round_nearest_even": np.rint,
    "atan2": np.arctan2, "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "not": np.invert, "is_finite": np.isfinite,
}
_COMPARE = {"EQ": np.equal, "NE": np.not_equal, "LT": np.less, "LE": np.less_equal, "GT": np.greater,
            "GE": np.greater_equal}
SIMPLE_OPS = frozenset(_UFUNCS) | {"compare", "select", "convert", "constant"}  # (+ constant_ref)
_LOW = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


def _float_to_int(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """furcate's float->int convert: truncate toward zero, NaN -> 0, saturate."""
    info = np.iinfo(dt)
    x = x.astype(np.float64)
    out = np.zeros(x.shape, dt)
    mid = (x > -(2.0 ** (info.bits - 1))) & (x < 2.0 ** (info.bits - 1))
    out[mid] = np.trunc(x[mid]).astype(dt)
    out[x >= 2.0 ** (info.bits - 1)] = info.max
    out[x <= -(2.0 ** (info.bits - 1))] = info.min
    return out


def _convert(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    if dt == np.bool_:
        return x != 0
    if dt.kind == "i" and x.dtype.kind == "f" or x.dtype in _LOW and dt.kind == "i":
        return _float_to_int(x, dt)
    if x.dtype == np.bool_:
        return x.astype(np.int8).astype(dt)
    return x.astype(dt)


def evaluate_elementwise(program, inputs) -> list[np.ndarray]:
    """Evaluate a program of SIMPLE_OPS op by op with NumPy (f16/bf16 computed in f32)."""
    env = dict(zip(program.func.body.block.args, inputs))
    for op in program.func.body.block.ops:
        args = [env[v] for v in op.operands]
        if op.name == "func.return":
            return args
        name = op.name.split(".", 1)[1]
        out_dt = spec_of_type(op.results[0].type).np_dtype
        up = [a.astype(np.float32) if a.dtype in _LOW else a for a in args]
        with np.errstate(all="ignore"):
            if name == "constant":
                r = op.numpy()
            elif name == "constant_ref":
                r = program.constants[op.attr("ref")]
            elif isinstance(op, ConvertOp):
                r = _convert(args[0], out_dt)
            elif name == "compare":
                r = _COMPARE[op.attr("comparison_direction")](*up)
            elif name == "select":
                r = np.where(*up)
            else:
                r = _UFUNCS[name](*up)
        env[op.results[0]] = np.asarray(r).astype(out_dt)
    raise AssertionError("program has no func.return")


@SETTINGS
@given(programs(max_ops=6, ops=SIMPLE_OPS))
def test_numpy_backend_matches_direct_numpy(case):
    program, inputs = case
    expected = evaluate_elementwise(program, inputs)
    actual = compile_program(program.clone(), "numpy")(*inputs)
    for a, e in zip(actual, expected):
        assert_close(a, e, msg=program.text())


@pytest.mark.parametrize("dtype", DTYPES)
def test_strategy_covers_every_dtype(dtype):
    """programs(dtypes=[d]) makes programs whose inputs all have dtype d, with edge values."""
    seen_special = []

    @settings(max_examples=15, deadline=None)
    @given(programs(max_ops=3, dtypes=[dtype]))
    def run(case):
        program, inputs = case
        assert all(s.dtype == dtype for s in program.input_specs)
        for a in inputs:
            if dtype in FLOAT_DTYPES:
                seen_special.append(bool(np.any(~np.isfinite(a.astype(np.float32)))))
            elif dtype != "i1":
                seen_special.append(bool(np.any(a == np.iinfo(a.dtype).min) or np.any(a == -1)))
            else:
                seen_special.append(True)

    run()
    assert any(seen_special), f"no edge values in {dtype} inputs"


# ---------------------------------------------------------------------------
# f16/bf16: two legal results (rounded after every op, or f32 inside a kernel)


def _pow_pow(dtype: str):
    """pow(x, pow(x, x)): rounding the inner pow to bf16 moves the result by ~5%."""
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder

    b = GraphBuilder()
    x = b.arg(TensorSpec((1,), dtype))
    return b.finish([b.op("pow", x, b.op("pow", x, x))])


def test_f32_intermediates_keeps_low_precision_in_f32_and_rounds_outputs():
    from furcate.tools.low_precision import f32_intermediate_reference, f32_intermediates

    x = np.array([2.859375], ml_dtypes.bfloat16)
    wide = f32_intermediates(_pow_pow("bf16"))
    assert "bf16" not in wide.text() and [str(s) for s in wide.input_specs] == ["f32[1]"]
    x32 = x.astype(np.float32)
    direct = np.power(x32, np.power(x32, x32)).astype(ml_dtypes.bfloat16)
    (got,) = f32_intermediate_reference(_pow_pow("bf16"), [x])
    assert got.dtype == ml_dtypes.bfloat16 and got.tobytes() == direct.tobytes()
    (per_op,) = compile_program(_pow_pow("bf16"), "numpy")(x)
    assert abs(float(per_op[0]) - float(got[0])) > 0.03 * float(got[0])  # the two references differ here


def test_f32_intermediates_keeps_explicit_rounding_converts():
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder
    from furcate.tools.low_precision import f32_intermediate_reference

    b = GraphBuilder()
    x = b.arg(TensorSpec((3,), "f32"))
    y = b.op("mul", b.convert(x, "bf16"), b.constant(np.full(3, 3, ml_dtypes.bfloat16)))
    prog = b.finish([b.convert(y, "f32")])
    x = np.array([1.00390625, 0.1, 3.0], np.float32)  # 1 + 2^-8 rounds to 1 in bf16
    (got,) = f32_intermediate_reference(prog, [x])
    np.testing.assert_array_equal(got, x.astype(ml_dtypes.bfloat16).astype(np.float32) * 3)


@pytest.mark.parametrize("target", ["c", "xla"])
def test_bf16_pow_pow_regression(target):
    """c keeps the inner pow in f32 (1.59e9), numpy rounds it to bf16 first (1.52e9): both legal."""
    _available(target)
    check_against_numpy(_pow_pow("bf16"), [np.array([2.859375], ml_dtypes.bfloat16)], target)


def test_low_precision_check_still_catches_a_wrong_backend():
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder
    from tests.tools import broken_backend

    b = GraphBuilder()
    x = b.arg(TensorSpec((4,), "f16"))  # the broken backend is off by 0.5 on numpy float kinds
    prog = b.finish([b.op("add", b.op("tanh", x), x)])
    broken_backend.install()
    try:
        with pytest.raises(AssertionError, match="nor close to the reference with f32 intermediates"):
            check_against_numpy(prog, [np.array([0.5, 1, -2, 3], np.float16)], broken_backend.NAME)
    finally:
        broken_backend.uninstall()


def test_strategy_generates_every_op_well_typed():
    """Over a bounded run, programs() makes every op of ALL_STRATEGY_OPS (incl. convolution,
    reduce_window, scatter_add, gather_along, constant_ref), each in a program that verifies."""
    from furcate.tools.random_programs import ALL_STRATEGY_OPS

    seen = set()

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(programs(max_ops=6))
    def run(case):
        program, inputs = case
        program.verify()
        assert [(a.shape, a.dtype) for a in inputs] == [(s.shape, s.np_dtype) for s in program.input_specs]
        seen.update(op.name.removeprefix("furcate.") for op in program.module.walk())

    run()
    assert not ALL_STRATEGY_OPS - seen, f"never generated: {sorted(ALL_STRATEGY_OPS - seen)}"


@pytest.mark.parametrize("op", ["convolution", "reduce_window", "scatter_add", "gather_along", "constant_ref"])
def test_structured_ops_agree_on_c(op):
    """Programs centred on one structured op (plus what it needs) on c against numpy."""
    _available("c")
    ops = {op, "constant", "reshape", "add", "mul", "convert"}

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(programs(max_ops=4, ops=ops, dtypes=("f32", "bf16", "i32")))
    def run(case):
        check_against_numpy(*case, "c")

    run()
