"""furcate/backends/kernel/lower.py: a reduction whose rows have a size-1 dimension (batch 1:
softmax / layer norm / pooling of one sample) is read back at its own row, so it stays in one
C kernel instead of running on numpy (``backend_fallbacks``)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")

FUNCS = {
    "softmax": lambda x: torch.softmax(x, -1),
    "layer_norm+rowsum": lambda x: torch.nn.functional.layer_norm(x, x.shape[-1:]) * 2 + x.sum(-1, keepdim=True),
    "minus rowmax": lambda x: x - x.amax(-1, keepdim=True),
    "mean over dim 0": lambda x: x.mean(0, keepdim=True) + x,
}


@pytest.mark.parametrize("shape", [(1, 8), (1, 4, 8), (1, 1, 8), (3, 1, 8), (1, 3, 1, 5)], ids=str)
@pytest.mark.parametrize("name", list(FUNCS))
def test_reduction_with_unit_rows_stays_in_c(name, shape):
    f, x = FUNCS[name], torch.randn(*shape)
    with torch.no_grad():
        got = torch.compile(f, backend="furcate", options={"target": "c"})(x)
    assert_close(got, f(x), accumulated=True)
    st = furcate.stats()
    assert st["backend_fallbacks"] == [], st["backend_fallbacks"]
    assert set(st["kernels"]) == {"c"}, st["kernels"]
