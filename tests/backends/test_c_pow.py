"""furcate/backends/c/render.py: ``pow`` by a constant 2 or 3 renders as ``x*x`` / ``(x*x)*x``
(vectorizable, and what eager PyTorch and XLA compute), bit-equal to eager in f32/f64; other
exponents still call ``pow``."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("e", [2, 3, 3.0])
def test_square_and_cube_equal_eager_bit_for_bit(e, dtype):
    x = torch.cat([torch.randn(4096, dtype=dtype) * 10, torch.tensor([0.0, -0.0, float("inf"), float("-inf"),
                                                                      float("nan")], dtype=dtype)])
    got = torch.compile(lambda a: torch.pow(a, e) + 1, backend="furcate", options={"target": "c"})(x)
    expected = torch.pow(x, e) + 1
    assert torch.equal(got.isnan(), expected.isnan())
    assert torch.equal(torch.nan_to_num(got), torch.nan_to_num(expected))


@pytest.mark.parametrize("e", [2.5, -1.0, 0.5])
def test_other_exponents_still_match(e):
    x = torch.rand(1000) * 5
    got = torch.compile(lambda a: torch.pow(a, e), backend="furcate", options={"target": "c"})(x)
    assert_close(got, torch.pow(x, e))
