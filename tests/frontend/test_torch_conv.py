"""Convolution and pooling through torch.compile(backend="furcate"): the backward ops
(convolution_backward, max_pool2d indices and backward, avg_pool2d_backward) and a CNN
training step, each compared with eager and with nothing left to eager."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
aten = torch.ops.aten

from tests.frontend.torch_check import (  # noqa: E402
    check_training,
    fresh_dynamo,  # noqa: F401  (autouse)
    run_compiled,
    small_cnn,
)


@pytest.mark.parametrize("stride,padding,dilation,groups,ksize,size", [
    (1, 1, 1, 1, 3, 8),
    (2, 1, 1, 2, 3, 9),    # stride leaves the last input row unused
    (2, 0, 2, 1, 3, 11),
    (3, 2, 1, 4, 2, 7),    # padding beyond the kernel's reach: the input gradient is cropped
    (1, 0, 1, 1, 1, 5),
])
def test_convolution_backward_variants(stride, padding, dilation, groups, ksize, size):
    x = torch.randn(2, 4, size, size - 1)
    w = torch.randn(8, 4 // groups, ksize, ksize)
    y = torch.nn.functional.conv2d(x, w, None, stride, padding, dilation, groups)
    g = torch.randn_like(y)

    def f(g, x, w):
        return aten.convolution_backward(g, x, w, [8], [stride] * 2, [padding] * 2, [dilation] * 2, False, [0, 0],
                                         groups, [True, True, True])

    run_compiled(f, g, x, w, accumulated=True)


def test_convolution_backward_1d_and_masked_outputs():
    x, w = torch.randn(3, 2, 10), torch.randn(4, 2, 3)
    g = torch.randn(3, 4, 4)

    def f(g, x, w):
        gi, gw, _ = aten.convolution_backward(g, x, w, None, [2], [0], [1], False, [0], 1, [True, True, False])
        _, gw2, gb = aten.convolution_backward(g, x, w, [4], [2], [0], [1], False, [0], 1, [False, True, True])
        return gi, gw, gw2, gb

    run_compiled(f, g, x, w, accumulated=True)


def _pool_input():
    """Ties, NaNs, -inf rows: every rule of eager's index choice is exercised."""
    x = torch.randn(2, 3, 7, 8)
    x[0, 0, :2, :2] = 1.5  # a tie in one window
    x[0, 1, 0, 0] = float("nan")
    x[0, 1, 1, 1] = float("nan")  # two NaNs in a window: the last one is the index
    x[1, 2] = -float("inf")
    x[1, 0, 3:, 4:] = 0.25
    return x


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", [
    (2, 2, 0, 1, False),
    (3, 2, 1, 1, True),
    (3, 1, 1, 2, False),
    ((2, 3), (1, 2), (1, 0), 1, True),
])
def test_max_pool_indices_and_backward(kernel, stride, padding, dilation, ceil_mode):
    x = _pool_input()

    def f(x, g_seed):
        y, idx = aten.max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode)
        g = g_seed[..., : y.shape[-2], : y.shape[-1]]
        gi = aten.max_pool2d_with_indices_backward(g, x, kernel, stride, padding, dilation, ceil_mode, idx)
        return y, idx, gi

    run_compiled(f, x, torch.randn(2, 3, 8, 8))


@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,include_pad,divisor", [
    (2, 2, 0, False, True, None),
    (3, 2, 1, True, True, None),
    (3, 2, 1, True, False, None),
    ((2, 3), (3, 1), (1, 1), False, True, 5),
])
def test_avg_pool_backward(kernel, stride, padding, ceil_mode, include_pad, divisor):
    x = torch.randn(2, 3, 7, 8)

    def f(x, g_seed):
        y = aten.avg_pool2d(x, kernel, stride, padding, ceil_mode, include_pad, divisor)
        g = g_seed[..., : y.shape[-2], : y.shape[-1]]
        return y, aten.avg_pool2d_backward(g, x, kernel, stride, padding, ceil_mode, include_pad, divisor)

    run_compiled(f, x, torch.randn(2, 3, 8, 8), accumulated=True)


def test_cnn_training_step_matches_eager():
    x, y = torch.randn(4, 3, 8, 8), torch.randint(0, 5, (4,))
    st = check_training(small_cnn(relu_after_grouped_conv=True), x,
                        loss=lambda out: nn.functional.cross_entropy(out, y))
    for op in ("aten.convolution_backward.default", "aten.max_pool2d_with_indices_backward.default",
               "aten.avg_pool2d_backward.default", "aten.max_pool2d_with_indices.default"):
        assert st["aten_ops_compiled"].get(op, 0) >= 1, op
