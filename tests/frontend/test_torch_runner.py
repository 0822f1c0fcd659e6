"""The torch runner's per-call path: the fast path (CPU tensors of the expected shapes and
dtypes) and everything it hands to the general path -- other shapes and dtypes,
tensors that need more than a NumPy view, results that share memory -- give eager's
answers; the Executable's guards still name the argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import furcate  # noqa: F401  (registers the backend)
from furcate.runtime.executable import GuardError
from tests.tolerance import assert_close


def _compile(fn):
    return torch.compile(fn, backend="furcate", options={"target": "c"}, dynamic=False)


def test_other_shapes_and_dtypes_after_the_first_call():
    f = _compile(lambda x: torch.tanh(x) * 2 + 1)
    for x in (torch.randn(4, 6), torch.randn(5, 6), torch.randn(4, 6, dtype=torch.float64),
              torch.randn(4, 6)):
        assert_close(f(x), torch.tanh(x) * 2 + 1)


def test_views_grads_and_negated_inputs():
    f = _compile(lambda x, y: x * y + 1)
    base = torch.randn(6, 4)
    y = torch.randn(4, 6)
    f(base.T.contiguous(), y)
    for x in (base.T, torch.randn(4, 6, requires_grad=True), torch.randn(4, 6).conj()):
        with torch.no_grad():
            assert_close(f(x, y), x * y + 1)
    neg = torch._neg_view(torch.randn(4, 6))
    with torch.no_grad():
        assert_close(f(neg, y), neg.clone() * y + 1)


def test_results_held_across_calls_are_not_overwritten():
    f = _compile(lambda x: x * 3)
    x1, x2 = torch.randn(64), torch.randn(64)
    out1 = f(x1)
    keep = out1.clone()
    for _ in range(4):
        f(x2)
    assert torch.equal(out1, keep)


def test_results_sharing_memory_come_back_distinct():
    f = _compile(lambda x: (x + 1, (x + 1).view(2, 3), x))
    x = torch.randn(6)
    for _ in range(2):
        a, b, c = f(x)
        assert_close(a, x + 1)
        assert_close(b, (x + 1).view(2, 3))
        assert torch.equal(c, x)
        b.add_(5)  # a and b are two results: writing one leaves the other
        assert_close(a, x + 1)


def test_executable_guards_name_the_argument():
    from furcate.frontend.torch_backend import FurcateGraph

    graphs = []
    orig = FurcateGraph.__init__

    def rec(self, *a, **k):
        orig(self, *a, **k)
        graphs.append(self)
    FurcateGraph.__init__ = rec
    try:
        f = _compile(lambda x: x + 1)
        f(torch.randn(3, 2))
    finally:
        FurcateGraph.__init__ = orig
    exe = next(iter(graphs[-1].cache.values())).exe
    with pytest.raises(GuardError, match=r"argument 0 .*has shape \[2, 3\], expected \[3, 2\]"):
        exe(np.zeros((2, 3), np.float32))
    with pytest.raises(GuardError, match=r"argument 0 .*has dtype float64, expected float32"):
        exe(np.zeros((3, 2)))
