"""Inference freezing (``options={"freeze": True}``): furcate/frontend/torch_freeze.py and its
use in torch_backend.py. Folded results equal eager; a weight changed after compiling, in
any way, gives the new result; a training graph is never frozen."""

from __future__ import annotations

import pytest
import torch

import furcate
from furcate.frontend.torch_freeze import freeze_graph
from tests.tolerance import assert_close


class ConvBNLinearBN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3)
        self.bn = torch.nn.BatchNorm2d(8)
        self.lin = torch.nn.Linear(8 * 4 * 4, 5)
        self.bn1 = torch.nn.BatchNorm1d(5)

    def forward(self, x):
        return self.bn1(self.lin(torch.relu(self.bn(self.conv(x))).flatten(1)))


def _model():
    torch.manual_seed(0)
    m = ConvBNLinearBN().eval()
    with torch.no_grad():
        for bn in (m.bn, m.bn1):  # non-trivial statistics: the fold must move real values
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 2.0)
            bn.bias.uniform_(-1, 1)
    return m


def _compiled(m):
    torch._dynamo.reset()
    furcate.stats(reset=True)
    return torch.compile(m, backend="furcate", options={"freeze": True})


# seeded: the module is imported in whatever order xdist picks, and a train-mode batch norm
# over a batch of two is ill-conditioned for some draws
X = torch.randn(2, 3, 6, 6, generator=torch.Generator().manual_seed(0))


def test_frozen_conv_bn_linear_bn_equals_eager_and_folds():
    m = _model()
    f = _compiled(m)
    with torch.no_grad():
        assert_close(f(X), m(X), accumulated=True)
    st = furcate.stats()["freeze"]
    assert st["frozen_graphs"] == 1 and st["frozen_inputs"] == 12
    assert st["affine_into_weights"] == 2  # both batch norms went into the conv / linear weights
    assert "unfrozen" not in st
    assert furcate.stats()["ops_eager"] == {}


def _change_data_copy(m):
    m.conv.weight.data.copy_(m.conv.weight.data * 2.0)  # bumps no version counter


def _change_no_grad_add(m):
    with torch.no_grad():
        m.bn.running_var.add_(1.0)


def _change_new_parameter(m):
    m.lin.weight = torch.nn.Parameter(torch.randn_like(m.lin.weight))


def _change_data_assign(m):
    m.bn1.bias.data = torch.randn_like(m.bn1.bias)


@pytest.mark.parametrize("change", [_change_data_copy, _change_no_grad_add, _change_new_parameter,
                                    _change_data_assign])
def test_weight_changed_after_compile_gives_new_result(change):
    m = _model()
    f = _compiled(m)
    with torch.no_grad():
        before = m(X)
        assert_close(f(X), before, accumulated=True)
        change(m)
        after = m(X)
        assert (after - before).abs().max() > 1e-2  # the change matters
        assert_close(f(X), after, accumulated=True)
        assert_close(f(X), after, accumulated=True)  # and stays right on later calls


def test_training_graph_is_not_frozen():
    m = _model().train()
    f = _compiled(m)
    # (a plain sum of a train-mode batch norm's output has zero gradient, all rounding noise:
    # weigh the outputs)
    weights = torch.randn(2, 5, generator=torch.Generator().manual_seed(1))
    out = f(X)  # grad mode on: forward + backward graphs, parameters stay inputs
    (out * weights).sum().backward()
    assert furcate.stats()["freeze"] == {}
    # Batch norm's backward over a batch of two amplifies rounding, so judge against float64:
    # furcate's float32 error may be at most a few times eager's own float32 error.
    ref, ref64 = _model().train(), _model().double().train()
    (ref(X) * weights).sum().backward()
    (ref64(X.double()) * weights.double()).sum().backward()
    exact = ref64.conv.weight.grad
    err = (m.conv.weight.grad.double() - exact).abs().max().item()
    eager_err = (ref.conv.weight.grad.double() - exact).abs().max().item()
    assert err <= 4 * eager_err + 1e-6 * exact.abs().max().item(), (err, eager_err)


def test_freeze_graph_folds_batch_norm_into_convolution():
    from torch.fx.experimental.proxy_tensor import make_fx

    conv, bn = torch.nn.Conv2d(2, 4, 3).eval(), torch.nn.BatchNorm2d(4).eval()
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2.0)
    params = [conv.weight, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var]

    def fn(w, b, g, beta, mean, var, x):
        y = torch.nn.functional.conv2d(x, w, b)
        # what AOTAutograd's inference graph holds for an eval-mode batch norm
        return torch.ops.aten._native_batch_norm_legit_no_training(y, g, beta, mean, var, 0.1, 1e-5)[0]

    x = torch.randn(1, 2, 5, 5)
    with torch.no_grad():
        gm = make_fx(fn, tracing_mode="fake")(*params, x)
        frozen, stats = freeze_graph(gm, {i: p.detach().clone() for i, p in enumerate(params)})
    targets = [n.target for n in frozen.graph.nodes if n.op == "call_function"]
    assert targets == [torch.ops.aten.convolution.default], targets
    assert stats["affine_into_weights"] == 1
    with torch.no_grad():
        assert_close(frozen(x), fn(*params, x), accumulated=True)
