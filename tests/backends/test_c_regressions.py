"""Regression tests of C backend bugs, each reproduced at IR level (written as IR text)."""

from __future__ import annotations

import numpy as np

from furcate.ir.program import parse_program
from tests.backends.c_helpers import check
from tests.tolerance import assert_close


def _program(text: str):
    return parse_program(text, {})


def _rand(program, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s.shape).astype(s.np_dtype) for s in program.input_specs]


T = "tensor<2x3x3xf32>"
DOT = ("{lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, "
       "rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>}")


def test_gemm_epilogue_input_is_not_overwritten_by_the_accumulator():
    """A GEMM whose epilogue reads a dying workspace intermediate at its own element: the
    output must not take over that intermediate's block when the GEMM accumulates into
    the output (the GEMM would overwrite the intermediate before the epilogue reads it).
    Found by flash-attention backward (torch frontend)."""
    p = _program(f"""
builtin.module {{
  func.func @main(%x: {T}, %w: {T}) -> ({T}) {{
    %a = furcate.exp %x : ({T}) -> {T}
    %r = furcate.fusion "gemm" on "default" (%a, %w) : ({T}, {T}) -> {T} {{
    ^bb0(%p: {T}, %q: {T}):
      %d = furcate.dot_general %q, %q {DOT} : ({T}, {T}) -> {T}
      %m = furcate.mul %p, %d : ({T}, {T}) -> {T}
      furcate.yield %m : {T}
    }}
    %t = furcate.tanh %r : ({T}) -> {T}
    func.return %t : {T}
  }}
}}""")
    check(p, _rand(p), accumulated=True, pipeline="none")


def test_graph_name_is_sanitized_for_c():
    """``options["name"]`` such as ``<lambda>`` (torch's name for a lambda) is not a C identifier."""
    from furcate.compiler import compile_program

    p = _program(f"""
builtin.module {{
  func.func @main(%x: {T}) -> ({T}) {{
    %t = furcate.tanh %x : ({T}) -> {T}
    func.return %t : {T}
  }}
}}""")
    x = _rand(p)[0]
    exe = compile_program(p, "c", {"name": "<lambda>.forward-1"})
    assert_close(exe(x)[0], np.tanh(x))


def test_gather_output_never_overwrites_its_operand_in_place():
    """gather of a dying workspace intermediate reads it at data-dependent rows: the output
    must not take over the intermediate's block (found by a JAX conv gradient, whose
    flipped kernel is two gathers in a row)."""
    p = _program("""
builtin.module {
  func.func @main(%k: tensor<3x4xf32>) -> (tensor<3x4xf32>) {
    %i = furcate.constant dense<[2, 1, 0]> : tensor<3xi32>
    %e = furcate.exp %k : (tensor<3x4xf32>) -> tensor<3x4xf32>
    %g = furcate.gather %e, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
    %t = furcate.tanh %g : (tensor<3x4xf32>) -> tensor<3x4xf32>
    func.return %t : tensor<3x4xf32>
  }
}""")
    check(p, _rand(p), pipeline="none")
