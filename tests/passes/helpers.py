"""Shared by the pass tests: run a program on the numpy reference with no passes, and
compare a program before and after passes."""

from __future__ import annotations

import numpy as np

from furcate.compiler import compile_program, run_pipeline
from furcate.ir.program import Program, make_context

from tests.tolerance import assert_close


def run_numpy(program: Program, inputs) -> list[np.ndarray]:
    """Outputs of ``program`` exactly as written (pipeline "none") on the numpy backend."""
    return compile_program(program.clone(), "numpy", {"pipeline": "none"})(*inputs)


def check_passes_preserve(program: Program, inputs, passes) -> Program:
    """Apply ``passes`` (names, or ModulePass objects) to a copy of ``program``, check the
    result verifies and computes what the original computes (NaN positions included);
    return the transformed copy."""
    after = program.clone()
    names = [p for p in passes if isinstance(p, str)]
    if names:
        run_pipeline(after, names)
    for p in passes:
        if not isinstance(p, str):
            p.apply(make_context(), after.module)
    after.verify()
    expected = run_numpy(program, inputs)
    actual = run_numpy(after, inputs)
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, accumulated=True, msg=f"output {i} after {passes}\n{program.text()}\n{after.text()}")
    return after
