"""Wrong answers the OpInfo sweep (benchmarks/opinfo_sweep.py, docs/testing.md) found in the torch
converters, each reduced to the smallest program and compared with eager."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo, run_compiled  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
def test_index_put_duplicate_indices_keep_the_last_write(dtype):
    # sweep: nn.functional.max_unpool1d/2d/3d (index_put with an index twice summed both writes)
    def f(x, i, v):
        x = x.clone()
        x[i] = v
        return x

    x = (torch.arange(6) * 3).to(dtype)
    i = torch.tensor([1, 4, 1, -2, 1])
    v = torch.tensor([5, 7, 9, 2, 11]).to(dtype) if dtype is not torch.bool else torch.tensor([1, 0, 0, 1, 1]).bool()
    run_compiled(f, x, i, v)


def test_index_put_duplicate_rows_of_a_matrix():
    def f(x, i, v):
        x = x.clone()
        x[:, i] = v
        return x

    run_compiled(f, torch.randn(3, 5), torch.tensor([[0, 2], [2, 0]]), torch.randn(3, 2, 2))


def test_max_unpool_with_overlapping_windows():
    # kernel 3, stride 2: one input element is the max of two windows, its index appears twice
    x = torch.tensor([[[1.0, 4.0, 2.0, 0.5]]])
    out, idx = torch.nn.functional.max_pool1d(x, 3, 2, 1, return_indices=True)
    assert idx.flatten().tolist().count(1) == 2
    run_compiled(lambda o, i: torch.nn.functional.max_unpool1d(o, i, 3, 2, 1, output_size=[1, 1, 4]), out, idx)


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_duplicate_indices_keep_the_last_write(dim):
    index = torch.tensor([[0, 1, 0], [1, 1, 0]]) if dim == 0 else torch.tensor([[2, 0, 2], [1, 1, 1]])
    src = torch.arange(1.0, 7.0).reshape(2, 3)
    run_compiled(lambda a, i, s: torch.scatter(a, dim, i, s), torch.zeros(2, 3), index, src)


def test_a_scatter_too_large_to_order_is_left_to_eager():
    from furcate.frontend import torch_ops_shape

    n = 64
    index = torch.randint(0, 4, (n, n))
    src = torch.randn(n, n)
    old = torch_ops_shape._MAX_WRITE_PAIRS
    torch_ops_shape._MAX_WRITE_PAIRS = n * n - 1
    try:
        f = lambda a, i, s: torch.scatter(a, 0, i, s)  # noqa: E731
        got = torch.compile(f, backend="furcate")(torch.zeros(4, n), index, src)
    finally:
        torch_ops_shape._MAX_WRITE_PAIRS = old
    assert_close(got, f(torch.zeros(4, n), index, src))
    assert "aten.scatter.src" in furcate.stats()["ops_eager"]


def test_bool_add_with_alpha_false_is_the_first_operand():
    # sweep (all samples): add in bool with alpha=False was a logical or
    a, b = torch.tensor([True, False, False, True]), torch.tensor([True, True, False, False])
    run_compiled(lambda a, b: torch.add(a, b, alpha=False), a, b)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_floor_division_of_floats_is_eagers_not_floor_of_the_quotient(dtype):
    # 1 / 0.1 rounds to 10, eager's floor division gives 9 (from x - fmod(x, y)); signs and -0
    a = torch.tensor([1.0, -1.0, 0.0, -0.0, 7.5, -7.5, 3.0, 1e-3], dtype=dtype)
    b = torch.tensor([0.1, 0.1, -2.0, 3.0, -2.0, 2.0, 0.0, -5.0], dtype=dtype)
    run_compiled(lambda a, b: torch.div(a, b, rounding_mode="floor"), a, b)
    torch._dynamo.reset()
    run_compiled(lambda a, b: a // b, a * 3, b)
    assert torch.div(torch.tensor(1.0, dtype=dtype), 0.1, rounding_mode="floor").item() == 9.0


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_low_precision_rounding_division_is_left_to_eager(mode):
    # sweep (all samples): div.trunc_rounding in bf16 was one unit off where the quotient rounds
    a = (torch.randn(500) * 50).to(torch.bfloat16)
    b = (torch.randn(500) * 3).to(torch.bfloat16)
    f = lambda a, b: torch.div(a, b, rounding_mode=mode)  # noqa: E731
    assert torch.equal(torch.compile(f, backend="furcate")(a, b), f(a, b))
    assert "aten.div.Tensor_mode" in furcate.stats()["ops_eager"]
