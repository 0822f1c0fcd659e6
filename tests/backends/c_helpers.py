"""Shared helpers of the C backend tests: build one-op programs, compile for c and numpy."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close


def one_op(opname: str, specs: list[TensorSpec], **props):
    b = GraphBuilder()
    args = [b.arg(s) for s in specs]
    out = b.op(opname, *args, **props)
    return b.finish([out])


def many(opname: str, groups: list[list[TensorSpec]], **props):
    """One program applying ``opname`` to each group of operand specs (one compile for many dtypes)."""
    b = GraphBuilder()
    outs = []
    for specs in groups:
        args = [b.arg(s) for s in specs]
        outs.append(b.op(opname, *args, **props))
    return b.finish(outs)


def run_both(program, inputs, pipeline="default"):
    exe_c = compile_program(program.clone(), "c", {"pipeline": pipeline})
    exe_n = compile_program(program.clone(), "numpy", {"pipeline": pipeline})
    return exe_c(*inputs), exe_n(*inputs), exe_c


def check(program, inputs, accumulated=False, pipeline="default", all_c=True):
    got, want, exe = run_both(program, inputs, pipeline)
    if all_c:  # the op really ran as generated C, not a NumPy fallback
        assert all(s.target == "c" for s in exe.steps), exe.describe()
    for i, (g, w) in enumerate(zip(got, want)):
        assert_close(g, w, accumulated=accumulated, msg=f"output {i}")
    return exe


SPECIALS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e30, 3.0, -2.5, 0.5, -0.5, 1.5, 2.5, 65504.0,
                     1e-45, 88.0, -88.0, 100.0, -100.0, 20.0, -20.0])


def sample(spec: TensorSpec, rng, special=True, positive=False) -> np.ndarray:
    n = spec.numel
    dt = spec.np_dtype
    if spec.dtype == "i1":
        return rng.random(spec.shape) < 0.5
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        edge = np.array([info.min, info.max, 0, -1, 1, info.min + 1, 7, -7], dtype=dt)
        x = rng.integers(-100, 100, size=n).astype(dt)
        if special:
            x[: min(n, len(edge))] = edge[: min(n, len(edge))]
        rng.shuffle(x)
        return x.reshape(spec.shape)
    x = rng.standard_normal(n) * 3
    if positive:
        x = np.abs(x) + 0.01
    if special:
        k = min(n, len(SPECIALS))
        x[:k] = SPECIALS[:k]
        rng.shuffle(x)
    return x.astype(dt).reshape(spec.shape)


BF16 = np.dtype(ml_dtypes.bfloat16)
