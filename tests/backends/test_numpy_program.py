"""NumPy backend: whole programs — steps, constants, fusion regions, transfers, buffers."""

from __future__ import annotations

import numpy as np
import pytest

import furcate
from furcate.backends import get_backend
from furcate.backends.numpy import NumpyBackend, evaluate_op
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.ir.program import parse_program
from furcate.runtime.executable import GuardError
from tests.tolerance import assert_close

F4 = TensorSpec((4,), "f32")


def _compile(prog):
    return get_backend("numpy").compile(prog, {})


def test_capabilities_and_registry():
    backend = get_backend("numpy")
    assert isinstance(backend, NumpyBackend)
    caps = backend.capabilities()
    assert (caps.target, caps.device, caps.ops) == ("numpy", "cpu", None)
    assert caps.supports_op("convolution", ["bf16"])


def test_steps_constants_and_outputs():
    b = GraphBuilder()
    x = b.arg(F4, name="x")
    small = b.constant(np.array([1, 2, 3, 4], np.float32))
    big = b.constant(np.arange(32, dtype=np.float32).reshape(8, 4), name="w")
    y = b.op("mul", x, small)
    z = b.op("dot_general", big, y, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    prog = b.finish([z])
    assert "w" in prog.constants
    exe = _compile(prog)
    assert [s.name for s in exe.steps] == ["furcate.mul", "furcate.dot_general"]
    assert all(s.target == "numpy" and s.device == "cpu" for s in exe.steps)
    assert len(exe.constants) == 2
    a = np.array([1, -1, 0.5, 2], np.float32)
    (got,) = exe(a)
    assert_close(got, np.arange(32, dtype=np.float32).reshape(8, 4) @ (a * [1, 2, 3, 4]).astype(np.float32))


def test_outputs_are_fresh_each_call():
    b = GraphBuilder()
    x = b.arg(F4)
    y = b.op("exp", x)
    exe = furcate.compile(b.finish([y, b.op("reshape", x, shape=[2, 2])]), target="numpy")
    a = np.zeros(4, np.float32)
    r1, v1 = exe(a)
    r2, v2 = exe(a)
    assert r1 is not r2 and not np.shares_memory(r1, r2)
    assert not np.shares_memory(v1, a) and not np.shares_memory(v1, v2)
    r1[:] = 7
    v1[:] = 7
    np.testing.assert_array_equal(r2, np.ones(4, np.float32))
    np.testing.assert_array_equal(exe(a)[1], np.zeros((2, 2), np.float32))


def test_output_that_is_an_input_or_a_constant_or_returned_twice():
    b = GraphBuilder()
    x = b.arg(F4)
    c = b.constant(np.array([1, 2, 3, 4], np.float32))
    y = b.op("neg", x)
    exe = _compile(b.finish([x, c, y, y, x]))
    a = np.array([1, 2, 3, 4], np.float32)
    outs = exe(a)
    np.testing.assert_array_equal(outs[0], a)
    np.testing.assert_array_equal(outs[2], -a)
    np.testing.assert_array_equal(outs[3], -a)
    for i, o in enumerate(outs):
        assert not np.shares_memory(o, a), i
        for j in range(i):
            assert not np.shares_memory(o, outs[j]), (i, j)
    outs[1][:] = 0  # the user's copy of a constant: the program's constant stays intact
    np.testing.assert_array_equal(exe(a)[1], [1, 2, 3, 4])


def test_guards_name_the_argument():
    b = GraphBuilder()
    x = b.arg(F4, name="x")
    exe = furcate.compile(b.finish([b.op("abs", x)]), target="numpy")
    with pytest.raises(GuardError, match="x"):
        exe(np.zeros(3, np.float32))


FUSION = """
func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r:2 = furcate.fusion "pointwise" on "cpu" (%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>, %y: tensor<4xf32>):
    %c = furcate.constant dense<2.0> : tensor<4xf32>
    %s = furcate.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %m = furcate.mul %s, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = furcate.tanh %m : (tensor<4xf32>) -> tensor<4xf32>
    furcate.yield %t, %x : tensor<4xf32>, tensor<4xf32>
  }
  %u = furcate.transfer %r#0 {dst = "cuda:0", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r#0, %r#1, %u : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
"""


def test_fusion_region_is_one_step_and_transfer_is_identity():
    prog = parse_program(FUSION)
    exe = furcate.compile(prog, target="numpy", pipeline="none")
    assert [s.name for s in exe.steps] == ["furcate.fusion", "furcate.transfer"]
    a, c = np.array([0.1, -0.2, 0.3, 1], np.float32), np.array([1, 1, -1, 0], np.float32)
    t, x, u = exe(a, c)
    assert_close(t, np.tanh((a + c) * 2).astype(np.float32))
    np.testing.assert_array_equal(x, a)
    assert not np.shares_memory(x, a)
    np.testing.assert_array_equal(u, t)
    assert not np.shares_memory(u, t)
    fusion = next(op for op in prog.func.body.block.ops if op.name == "furcate.fusion")
    got = evaluate_op(fusion, [a, c])
    assert_close(got[0], t)


def test_evaluate_op_single_ops_and_constant_ref():
    b = GraphBuilder()
    x = b.arg(TensorSpec((2, 3), "i32"))
    w = b.constant(np.arange(20, dtype=np.int32).reshape(4, 5), name="table")
    s = b.op("reduce", x, kind="sum", dimensions=[1])
    prog = b.finish([s, w])
    (r,) = evaluate_op(s.owner, [np.array([[1, 2, 3], [4, 5, 6]], np.int32)])
    np.testing.assert_array_equal(r, np.array([6, 15], np.int32))
    (c,) = evaluate_op(w.owner, [], prog.constants)
    np.testing.assert_array_equal(c, prog.constants["table"])
    assert not np.shares_memory(c, prog.constants["table"])
    with pytest.raises(furcate.CompileError, match="table"):
        evaluate_op(w.owner, [])
    with pytest.raises(ValueError, match="furcate.reduce takes 1 operand"):
        evaluate_op(s.owner, [])


def test_strided_and_transposed_inputs():
    b = GraphBuilder()
    x = b.arg(TensorSpec((3, 4), "f32"))
    w = b.arg(TensorSpec((4, 2), "f32"))
    y = b.op("dot_general", b.op("exp", x), w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    exe = furcate.compile(b.finish([y]), target="numpy")
    base = np.random.default_rng(3).normal(size=(4, 6)).astype(np.float32)
    xa, wa = base[:, ::2].T, base[:, 1:3]  # non-contiguous views
    (got,) = exe(xa, wa)
    assert_close(got, np.exp(xa) @ wa, accumulated=True)
    assert got.flags.c_contiguous
