"""furcate/backends/kernel/lower.py ``pad_at``: ``furcate.pad`` (edge padding, negative edge
padding that crops, interior padding) is a C kernel: one clamped gather per element and the
padding value outside, compared with eager in every dtype and with NumPy's reference."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from furcate.dtypes import TensorSpec  # noqa: E402
from furcate.ir.builder import GraphBuilder  # noqa: E402
from tests.backends.c_helpers import check  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.bool]


def _make(dtype, *shape):
    x = torch.randn(*shape) * 5
    return x > 0 if dtype is torch.bool else x.to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("pad", [(1, 2), (0, 0, 2, 1), (-1, 2, 1, -2), (3, 0, 0, 0, 1, 1)], ids=str)
def test_constant_pad_matches_eager(dtype, pad):
    value = True if dtype is torch.bool else 1.5 if dtype.is_floating_point else 7
    f = lambda x: torch.nn.functional.pad(x, pad, value=value)  # noqa: E731
    x = _make(dtype, 2, 3, 5)
    with torch.no_grad():
        got = torch.compile(f, backend="furcate", options={"target": "c"})(x)
    assert_close(got, f(x))
    st = furcate.stats()
    assert st["backend_fallbacks"] == [] and st["ops_eager"] == {}, st


@pytest.mark.parametrize("dtype", ["f32", "f16", "i64", "i1"])
@pytest.mark.parametrize("lo,hi,it", [([1, -1], [2, 0], [1, 2]), ([0, 0], [0, 0], [2, 0]), ([-2, 3], [-1, 0], [0, 1])],
                         ids=str)
def test_interior_and_negative_padding_match_numpy(dtype, lo, hi, it):
    # interior padding is what a strided convolution's input gradient pads (zeros between)
    b = GraphBuilder()
    x = b.arg(TensorSpec((3, 4), dtype))
    v = b.arg(TensorSpec((), dtype))
    prog = b.finish([b.op("pad", x, v, edge_padding_low=lo, edge_padding_high=hi, interior_padding=it)])
    rng = np.random.default_rng(0)
    xs = (rng.standard_normal((3, 4)) * 5).astype(TensorSpec((3, 4), dtype).np_dtype)
    vs = np.asarray(True if dtype == "i1" else 3, dtype=xs.dtype)
    check(prog, [xs, vs])
