"""furcate/frontend/torch_passthrough.py: an inference graph is handed to Dynamo without
AOTAutograd's runtime wrapper only where that wrapper has nothing to do. Each case checks
both halves: whether the wrapper was skipped (``stats()["aot_passthrough"]``), and that the
results -- values, aliasing, mutations of inputs, gradients -- are eager's either way."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402


def _compile(fn, **options):
    return torch.compile(fn, backend="furcate", options=options or None)


def _passed_through() -> int:
    return furcate.stats()["aot_passthrough"]


@pytest.fixture(autouse=True)
def _reset_stats():
    furcate.stats(reset=True)


@pytest.mark.parametrize("target", ["c", "numpy"])
def test_pure_inference_graph_skips_the_wrapper(target):
    f = _compile(lambda x, y: ((x * 2 + y).relu(), x.sum(0)), target=target)
    x, y = torch.randn(8, 4), torch.randn(8, 4)
    with torch.no_grad():
        a, s = f(x, y)
        a2, _ = f(x, y)
    assert _passed_through() == 1
    assert_close(a, (x * 2 + y).relu())
    assert_close(s, x.sum(0))
    assert a.data_ptr() != a2.data_ptr()  # fresh results per call


def test_module_under_no_grad_skips_the_wrapper_and_sees_a_changed_weight():
    m = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU()).eval()
    f = _compile(m)
    x = torch.randn(3, 6)
    with torch.no_grad():
        assert_close(f(x), m(x))
        m[0].weight.mul_(-1.0)  # freezing's per-call check must still see it
        assert_close(f(x), m(x))
    assert _passed_through() >= 1


def test_grad_mode_keeps_the_wrapper_and_gradients_flow():
    w = torch.randn(4, requires_grad=True)
    f = _compile(lambda x: (x * w).tanh().sum())
    x = torch.randn(4)
    f(x).backward()
    assert _passed_through() == 0
    ref = torch.autograd.grad((x * w).tanh().sum(), w)[0]
    assert_close(w.grad, ref)


def test_input_mutation_keeps_the_wrapper_and_the_input_changes():
    def fn(x):
        x.add_(1.0)
        return x * 2

    f = _compile(fn)
    x = torch.randn(5)
    x0 = x.clone()
    with torch.no_grad():
        out = f(x)
    assert _passed_through() == 0
    assert_close(x, x0 + 1)
    assert_close(out, (x0 + 1) * 2)


@pytest.mark.parametrize("case", ["view of input", "input itself"])
def test_output_aliasing_an_input_keeps_the_wrapper_and_the_alias(case):
    fn = (lambda x: (x.view(-1), x + 1)) if case == "view of input" else (lambda x: (x, x + 1))
    f = _compile(fn)
    x = torch.randn(2, 3)
    with torch.no_grad():
        a, b = f(x)
    if case == "view of input":  # (an input returned as it is never reaches the graph: Dynamo returns it)
        assert _passed_through() == 0
    assert_close(b, x + 1)
    x[0, 0] = 42.0  # the first output is x's memory, as in eager
    assert a.reshape(-1)[0].item() == 42.0


def test_the_same_tensor_twice_is_correct():
    f = _compile(lambda x, y: x * 3 - y)
    x = torch.randn(7)
    with torch.no_grad():
        out = f(x, x)
    assert_close(out, x * 2)


def test_autocast_keeps_the_wrapper():
    f = _compile(lambda x: x.exp() + 1)
    x = torch.randn(4)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = f(x)
    assert _passed_through() == 0
    assert_close(out, x.exp() + 1)


@torch.library.custom_op("furcate_test::opaque_double", mutates_args=())
def opaque_double(x: torch.Tensor) -> torch.Tensor:
    """An op furcate does not know: the graph around it splits into partitions."""
    return x * 2


@opaque_double.register_fake
def _(x):
    return torch.empty_like(x)


def test_a_graph_with_an_eager_part_passes_through_and_is_correct():
    """A graph furcate splits (an op left to eager in the middle) is still called directly
    when AOTAutograd has nothing to do; its outputs are eager's."""
    f = _compile(lambda x: (opaque_double(x.tanh()) + 1, x - 1))
    x = torch.randn(6)
    with torch.no_grad():
        a, b = f(x)
        a, b = f(x)
    st = furcate.stats()
    assert st["partitions"] == 2 and st["aot_passthrough"] == 1, st
    assert_close(a, x.tanh() * 2 + 1)
    assert_close(b, x - 1)
