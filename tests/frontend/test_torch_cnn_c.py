"""CNNs through torch.compile(backend="furcate") on the C backend: a ResNet-style net
(residuals, batch norm, max pool, adaptive average pool), a MobileNet-style one
(depthwise-separable convs, ReLU6/SiLU, average pool) and a 1-D conv net. Inference:
eager's output, every convolution and pooling a C kernel (no backend fallback at all),
conv epilogues fused. Training: eager's loss and gradients."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import furcate  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import check_inference, check_training, fresh_dynamo  # noqa: E402,F401

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


def resnet_ish(w=8):
    return nn.Sequential(nn.Conv2d(3, w, 7, 2, 3, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
                         Block(w, w, 1), Block(w, 2 * w, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2 * w, 5))


def _dw_sep(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6())


def mobilenet_ish(w=8):
    return nn.Sequential(nn.Conv2d(3, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.SiLU(),
                         _dw_sep(w, 2 * w, 1), _dw_sep(2 * w, 2 * w, 2), nn.AvgPool2d(2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * w, 5))


def conv1d_net():
    return nn.Sequential(nn.Conv1d(4, 8, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(8, 8, 3, stride=2, dilation=2, padding=2, bias=False), nn.BatchNorm1d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 5))


MODELS = {"resnet": (resnet_ish, (2, 3, 16, 16)), "mobilenet": (mobilenet_ish, (2, 3, 16, 16)),
          "conv1d": (conv1d_net, (2, 4, 32))}


def _model(name):
    make, shape = MODELS[name]
    m = make()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
                mod.weight.uniform_(0.5, 1.5)
    return m, torch.randn(*shape)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cnn_inference_runs_all_in_c(name, monkeypatch):
    kernels = []
    from furcate.backends.c import segment

    real = segment.Segment.__init__

    def spy(self, units, *a, **kw):
        kernels.extend(u.kernel.kind for u in units)
        real(self, units, *a, **kw)

    monkeypatch.setattr(segment.Segment, "__init__", spy)
    m, x = _model(name)
    st = check_inference(m, x, target="c")  # asserts backend_fallbacks == [] and every kernel on c
    assert st["backend_fallbacks"] == []
    n_conv = sum(isinstance(mod, (nn.Conv1d, nn.Conv2d)) for mod in m.modules())
    assert kernels.count("conv") == n_conv, kernels
    assert "pool" in kernels
    # batch norm, activation and residual run in the conv kernels: few pointwise passes remain
    # (the per-channel rsqrt(var + eps) of each batch norm, computed once per call)
    n_bn = sum(isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)) for mod in m.modules())
    assert kernels.count("pointwise") <= n_bn, kernels


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cnn_training_step_matches_eager(name):
    m, x = _model(name)
    st = check_training(m, x)
    assert not [f for f in st["backend_fallbacks"] if "convolution" in f or "reduce_window" in f], st


def test_conv_dtypes_match_eager():
    from tests.tolerance import assert_close

    for dt in (torch.float16, torch.bfloat16, torch.float64):
        conv = nn.Conv2d(4, 8, 3, padding=1).to(dt)
        x = torch.randn(2, 4, 6, 6, dtype=dt)
        with torch.no_grad():
            want = torch.relu(conv(x))
            got = torch.compile(lambda t: torch.relu(conv(t)), backend="furcate")(x)
        assert_close(got, want, accumulated=True)
        st = furcate.stats(reset=True)
        assert st["backend_fallbacks"] == [], st["backend_fallbacks"]
        torch._dynamo.reset()
