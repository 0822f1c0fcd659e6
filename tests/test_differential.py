"""Differential tests: random well-typed programs (tests/strategies.py) run on every
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

from tests.strategies import check_against_numpy, programs
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
