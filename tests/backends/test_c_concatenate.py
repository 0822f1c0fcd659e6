"""furcate/backends/kernel/lower.py ``concatenate_at``: ``furcate.concatenate`` is a C kernel
(clamped gathers along the axis, the part chosen by the axis index), compared with eager
``torch.cat`` in every dtype, on every axis, with empty and single-row parts."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.bool]


def _make(dtype, *shape):
    x = torch.randn(*shape) * 5
    return x > 0 if dtype is torch.bool else x.to(dtype)


def _check(f, *args):
    with torch.no_grad():
        got = torch.compile(f, backend="furcate", options={"target": "c"})(*args)
    expected = f(*args)
    assert_close(got, expected)
    st = furcate.stats()
    assert st["backend_fallbacks"] == [], st["backend_fallbacks"]
    assert st["ops_eager"] == {}, st["ops_eager"]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_cat_three_parts_on_each_axis(dtype, dim):
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for s, n in zip(shapes, (1, 3, 2)):
        s[dim] = n
    _check(lambda a, b, c: torch.cat([a, b, c], dim), *(_make(dtype, *s) for s in shapes))


def test_cat_with_an_empty_part_and_a_consumer():
    a, b, c = torch.randn(4, 2), torch.randn(4, 0), torch.randn(4, 5)
    # the result feeds more work: the concatenate kernel stays its own group
    _check(lambda a, b, c: torch.cat([a, b, c], 1).relu() * 2, a, b, c)


def test_cat_of_computed_parts_like_rotary_halves():
    # llama's rotate_half: cat(-x2, x1) of slices of one tensor
    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1) * 0.5 + x
    _check(rotate_half, torch.randn(2, 3, 8))
