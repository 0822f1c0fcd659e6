"""Converters of furcate/frontend/torch_ops_shape.py (``aten.index.Tensor`` with several index
tensors) and torch_ops_nn.py (``_embedding_bag`` with bags of one size: a reduction instead of
a scatter), compiled with torch.compile(backend="furcate") and compared with eager."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo, run_compiled  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.bool]


def _source(dtype, *shape):
    x = torch.randn(*shape) * 4
    return x > 0 if dtype is torch.bool else x.to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_index_two_adjacent_tensors_keep_their_place(dtype):
    # x[:, i, j]: the indexed dims are adjacent, the broadcast index shape replaces them in place
    i = torch.tensor([0, 2, 1, -1])
    j = torch.tensor([[3], [-2]])  # broadcasts with i to (2, 4)
    st = run_compiled(lambda x, i, j: x[:, i, j], _source(dtype, 2, 3, 5, 2), i, j)
    assert st["aten_ops_compiled"].get("aten.index.Tensor") == 1, st["aten_ops_compiled"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64], ids=str)
def test_index_tensors_apart_move_to_the_front(dtype):
    # x[i, :, j]: a full slice between the indexed dims puts the index shape first (torch's rule)
    i, j = torch.tensor([1, 0, -1]), torch.tensor([2, 0, 4])
    run_compiled(lambda x, i, j: x[i, :, j], _source(dtype, 3, 4, 5), i, j)


def test_index_three_tensors_and_int32_indices():
    i = torch.tensor([[0], [1]], dtype=torch.int32)
    j = torch.tensor([2, 1, 0], dtype=torch.int32)
    k = torch.tensor([3, 3, -4], dtype=torch.int32)
    run_compiled(lambda x, i, j, k: x[i, j, k] * 2, torch.randn(2, 3, 4, 2), i, j, k)


def test_index_upper_triangle_of_pairwise_products():
    # DLRM's feature interaction: z @ z^T read at the upper triangle
    iu = torch.triu_indices(5, 5, 1)
    run_compiled(lambda z, iu: torch.bmm(z, z.transpose(1, 2))[:, iu[0], iu[1]], torch.randn(3, 5, 4), iu)


def test_index_by_boolean_mask_stays_in_eager():
    # a boolean mask has a data-dependent result shape: left to eager, still eager's answer
    x = torch.randn(4, 3)
    f = torch.compile(lambda x, m: x[m] + 1, backend="furcate")
    m = torch.tensor([True, False, True, True])
    assert_close(f(x, m), x[m] + 1)


def _bag_graph_has_no_scatter(stats):
    ops = " ".join(stats["backend_fallbacks"])
    assert "scatter_add" not in ops, stats["backend_fallbacks"]


@pytest.mark.skipif(not available(), reason="no C compiler")
@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_embedding_bag_fixed_size_bags_reduce(mode, dtype):
    bag = torch.nn.EmbeddingBag(20, 6, mode=mode).to(dtype).eval()
    idx = torch.randint(0, 20, (5, 4))
    with torch.no_grad():
        st = run_compiled(bag, idx, accumulated=True)
    _bag_graph_has_no_scatter(st)
    assert st["backend_fallbacks"] == [], st["backend_fallbacks"]


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_fixed_size_with_padding_and_weights(mode):
    bag = torch.nn.EmbeddingBag(12, 3, mode=mode, padding_idx=2).eval()
    idx = torch.tensor([[2, 2, 2], [0, 2, 5], [11, 1, 2]])  # one bag all padding
    with torch.no_grad():
        run_compiled(bag, idx, accumulated=True)
    if mode == "sum":
        weights = torch.rand(3, 3)
        with torch.no_grad():
            run_compiled(lambda i, w: bag(i, per_sample_weights=w), idx, weights, accumulated=True)


def test_embedding_bag_ragged_offsets_still_scatter():
    # offsets given as data (ragged bags): the general path, eager's answer
    bag = torch.nn.EmbeddingBag(10, 4, mode="sum").eval()
    idx, offs = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 3, 3, 7])
    with torch.no_grad():
        run_compiled(bag, idx, offs, accumulated=True)


@pytest.mark.skipif(not available(), reason="no C compiler")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int64], ids=str)
def test_gather_from_one_row_is_a_plain_gather_in_c(dtype):
    # BERT's token types: a (1, n) buffer expanded and gathered at position ids; and 1-D gathers
    row, flat = _source(dtype, 1, 10), _source(dtype, 10)
    pos = torch.tensor([[0, 3, 9, 3, 1]])
    st = run_compiled(lambda r, v, p: [torch.gather(r.expand(1, -1), 1, p), torch.gather(v, 0, p[0, :3])],
                      row, flat, pos)
    assert st["backend_fallbacks"] == [], st["backend_fallbacks"]
