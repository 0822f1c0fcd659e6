"""``check_against_numpy``: one program on a target and on the NumPy reference, compared
with the tolerance table (``tolerance.py``); the check of the differential tests and of
``furcate fuzz`` on the programs ``random_programs.py`` generates."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType

from furcate.dtypes import to_numpy_dtype
from furcate.ir.program import Program
from furcate.ir.types import spec_of_type
from furcate.tools.low_precision import f32_intermediate_reference, uses_low_precision
from furcate.tools.tolerance import ACCUMULATING, assert_close, tolerance


def _narrowest_float(program: Program) -> str | None:
    """The least precise float dtype any op of ``program`` produces (None: no float)."""
    order = ("bf16", "f16", "f32", "f64")  # widest tolerance first
    seen = {spec_of_type(r.type).dtype for op in program.module.walk() for r in op.results
            if isinstance(r.type, TensorType)}
    return next((d for d in order if d in seen), None)


def check_against_numpy(program: Program, inputs, target: str, options: dict | None = None) -> list[np.ndarray]:
    """Compile ``program`` for ``target`` and for "numpy" (the reference) and assert the
    outputs agree (``furcate/tools/tolerance.py``), have the declared specs, and that no input
    was written to. Returns the target's outputs.

    f16/bf16 programs have two legal results (DESIGN.md, Numerics): rounded after every
    op (numpy, xla) or computed in f32 inside a kernel and rounded on store (c, triton).
    An output passes when it is close to either: the numpy backend's, or the numpy
    backend's on the program with f32 intermediates (``furcate/tools/low_precision.py``)."""
    from furcate.compiler import compile_program

    text = program.text()
    low = uses_low_precision(program)
    ref_exe = compile_program(program.clone(), "numpy", dict(options or {}))
    exe = compile_program(program.clone(), target, dict(options or {}))
    saved = [np.array(a, copy=True) for a in inputs]
    expected = ref_exe(*inputs)
    actual = exe(*inputs)
    for i, (a, s) in enumerate(zip(inputs, saved)):
        assert a.tobytes() == s.tobytes(), f"{target} wrote into input {i}\n{text}"
    accumulated = any(op.name in ACCUMULATING for op in program.module.walk())
    narrow = _narrowest_float(program)
    assert len(actual) == len(program.output_specs), f"{target}: {len(actual)} outputs\n{text}"
    wide = None
    for i, (a, e, spec) in enumerate(zip(actual, expected, program.output_specs)):
        a = np.asarray(a)
        assert (a.shape, a.dtype) == (spec.shape, spec.np_dtype), (
            f"{target} output {i} is {a.dtype}{list(a.shape)}, declared {spec}\n{text}"
        )
        msg = f"{target} output {i} vs numpy\n{text}\ninputs={inputs}\n"
        tol = {}
        if narrow is not None and spec.dtype == "f64" and narrow != "f64":
            # an f64 output of values computed in f32 (convert after atan2) carries f32 error
            tol = dict(zip(("rtol", "atol"), tolerance(to_numpy_dtype(narrow), accumulated)))
        try:
            assert_close(a, e, accumulated=accumulated, msg=msg, **tol)
        except AssertionError as per_op:
            if not low:
                raise
            if wide is None:
                wide = f32_intermediate_reference(program, inputs)
            try:
                assert_close(a, wide[i], accumulated=accumulated, msg="")
            except AssertionError as in_f32:
                raise AssertionError(f"{per_op}\nnor close to the reference with f32 intermediates:\n"
                                     f"{in_f32}") from None
    return actual
