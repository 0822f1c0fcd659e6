"""furcate/frontend/torch_ops_nn.py: nn.EmbeddingBag over 2-D input (bags of one size) is a
gather of (bag, position, dim) rows summed over the position, which the fuse pass puts in
one reduction kernel on the C backend (no 8192x64 intermediate written and read back)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402


@pytest.mark.skipif(not available(), reason="no C compiler")
@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_fixed_size_bags_are_one_kernel(mode, tmp_path):
    bag = torch.nn.EmbeddingBag(1000, 16, mode=mode).eval()
    idx = torch.randint(0, 1000, (64, 8))
    with torch.no_grad():
        got = torch.compile(bag, backend="furcate", options={"target": "c", "dump_dir": str(tmp_path)})(idx)
    assert_close(got, bag(idx), accumulated=True)
    fused = next(tmp_path.rglob("02_fuse.mlir")).read_text()
    # the gather is inside the reduction's group (mean's divide may follow as its own group)
    group = fused.split("furcate.fusion")[1]
    assert '"reduction"' in group and "furcate.gather" in group and "furcate.reduce" in group, fused
    assert fused.count("furcate.gather") == 1
    assert furcate.stats()["backend_fallbacks"] == []
