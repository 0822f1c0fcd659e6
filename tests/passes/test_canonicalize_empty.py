"""Zero-size tensors (found by the OpInfo sweep: softmax of a (5, 0, 3) tensor crashed the C
lowering with a division by zero): canonicalize makes an op with only empty results an empty
constant and a reduction of empty rows its identity, so no backend indexes an empty space."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.compiler import compile_program
from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec
from tests.tolerance import assert_close

CASES = [("f32", "sum"), ("f32", "max"), ("f32", "min"), ("f32", "prod"), ("f64", "max"),
         ("i32", "max"), ("i32", "min"), ("i64", "sum"), ("i1", "and"), ("i1", "or"), ("i32", "and"), ("i64", "or"), ("f16", "min")]


def _program(dtype: str, kind: str):
    b = GraphBuilder("empty")
    x = b.arg(TensorSpec((3, 0, 2), dtype), "x")
    r = b.op("reduce", x, kind=kind, dimensions=[1])  # (3, 2) from empty rows
    e = b.op("reduce", x, kind=kind, dimensions=[2])  # (3, 0): empty itself
    return b.finish([r, e])


@pytest.mark.parametrize("target", ["numpy", "c"])
@pytest.mark.parametrize("dtype, kind", CASES)
def test_reductions_of_empty_rows_give_the_identity(dtype, kind, target):
    x = np.zeros((3, 0, 2), dtype=TensorSpec((), dtype).np_dtype)
    want = compile_program(_program(dtype, kind), "numpy", {"pipeline": "none"})(x)  # the reference as written
    exe = compile_program(_program(dtype, kind), target, {"name": f"empty_{dtype}_{kind}"})
    got = exe(x)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert_close(g, w)
    assert not exe.steps or all(s.target in ("numpy", "c") for s in exe.steps)


def test_canonicalize_replaces_empty_work_by_constants():
    from furcate.compiler import run_pipeline

    b = GraphBuilder("empty_ops")
    x = b.arg(TensorSpec((4, 0), "f32"), "x")
    y = b.op("tanh", b.op("add", x, x))
    s = b.op("reduce", x, kind="sum", dimensions=[1])
    program = b.finish([y, s])
    run_pipeline(program, "canonicalize")
    text = program.text()
    assert "furcate.tanh" not in text and "furcate.add" not in text and "furcate.reduce" not in text, text
    assert "furcate.constant dense<[[], [], [], []]> : tensor<4x0xf32>" in text, text


def test_softmax_of_a_zero_size_tensor_through_torch_compile():
    torch = pytest.importorskip("torch")
    import furcate  # noqa: F401

    f = torch.compile(lambda x: (torch.softmax(x, -1), x.sum(1), torch.logsumexp(x, 1)), backend="furcate",
                      dynamic=False)
    for shape in [(5, 0, 3), (0, 4), (3, 0)]:
        x = torch.randn(*shape)
        for g, w in zip(f(x), (torch.softmax(x, -1), x.sum(1), torch.logsumexp(x, 1))):
            torch.testing.assert_close(g, w)
