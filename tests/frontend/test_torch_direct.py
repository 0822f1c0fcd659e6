"""furcate/frontend/torch_direct.py: a graph that is one C kernel is called on the torch
tensors themselves. It must be taken where it applies, give eager's results, hand out fresh
result tensors on every call, and step aside (the general path runs) for any input its guards
do not accept."""

from __future__ import annotations

import threading

import pytest

torch = pytest.importorskip("torch")

import furcate.frontend.torch_direct as torch_direct  # noqa: E402
from furcate.backends.c import available  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402,F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")


@pytest.fixture
def direct_calls(monkeypatch):
    """Counts DirectCall calls that ran the kernel ("hit") and that stepped aside ("miss")."""
    seen = {"hit": 0, "miss": 0}
    call = torch_direct.DirectCall.__call__

    def counted(self, args):
        out = call(self, args)
        seen["hit" if out is not None else "miss"] += 1
        return out

    monkeypatch.setattr(torch_direct.DirectCall, "__call__", counted)
    return seen


def _compile(fn):
    return torch.compile(fn, backend="furcate", options={"target": "c"})


def test_one_kernel_graph_runs_direct_and_results_are_fresh(direct_calls):
    f = _compile(lambda x, y: ((x * 2 + y).relu(), x - y))
    x, y = torch.randn(64), torch.randn(64)
    with torch.no_grad():
        a1, b1 = f(x, y)
        a2, b2 = f(x, y)
    assert direct_calls["hit"] >= 2, direct_calls
    assert_close(a1, (x * 2 + y).relu())
    assert_close(b1, x - y)
    # each call hands out new memory: writing one result changes no other
    assert a1.data_ptr() != a2.data_ptr() and b1.data_ptr() != b2.data_ptr()
    a1.fill_(7.0)
    assert_close(a2, (x * 2 + y).relu())


def test_module_with_parameters_runs_direct(direct_calls):
    lin = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval()
    x = torch.randn(3, 8)
    with torch.no_grad():
        got = _compile(lin)(x)
        expected = lin(x)
    assert direct_calls["hit"] >= 1, direct_calls
    assert_close(got, expected, accumulated=True)


@pytest.mark.parametrize("make", [
    lambda x: x.t().contiguous().t(),  # a transposed (non-contiguous) view of the same shape
    lambda x: torch._neg_view(x),  # a negative-bit view: its values are -x
    lambda x: x.to(torch.float64),  # another dtype
], ids=["strided", "neg-view", "float64"])
def test_inputs_the_guards_refuse_take_the_general_path(make, direct_calls):
    f = _compile(lambda x: torch.sigmoid(x) * 3)
    base = torch.randn(6, 6)
    with torch.no_grad():
        f(base)
        odd = make(base)
        got = f(odd)
    assert_close(got, torch.sigmoid(odd) * 3)


def test_large_results_use_the_pooled_path():
    f = _compile(lambda x: x * 2)
    x = torch.randn(512, 1024)  # 2 MiB result: above torch_direct.SMALL_RESULT
    assert x.numel() * 4 > torch_direct.SMALL_RESULT
    with torch.no_grad():
        assert_close(f(x), x * 2)
        assert_close(f(x + 1), (x + 1) * 2)


def test_concurrent_calls_get_their_own_results(direct_calls):
    f = _compile(lambda x: x * x + 1)
    inputs = [torch.full((32,), float(i)) for i in range(4)]
    with torch.no_grad():
        f(inputs[0])
    errors = []

    def worker(x):
        try:
            with torch.no_grad():
                for _ in range(200):
                    got = f(x)
                    if not torch.equal(got, x * x + 1):
                        errors.append((x[0].item(), got[0].item()))
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(x,)) for x in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert direct_calls["hit"] >= 800, direct_calls


@pytest.mark.parametrize("make", [
    lambda x: x.t().contiguous().t(),
    lambda x: torch._neg_view(x),
    lambda x: x.to(torch.float64),
    lambda x: x.reshape(36),
    lambda x: x.clone().requires_grad_(),  # accepted: the kernel reads the values only
    lambda x: torch.nn.Parameter(x.clone()),  # accepted too
    lambda x: 1.0,
], ids=["strided", "neg-view", "float64", "reshaped", "requires-grad", "parameter", "not-a-tensor"])
def test_guards_after_a_first_call_still_refuse_what_they_must(make, monkeypatch):
    """After the first call the C++ metadata check (``seen``) answers for arguments like the
    first ones; any other argument must still meet the per-tensor checks."""
    made = []
    call = torch_direct.DirectCall.__call__
    monkeypatch.setattr(torch_direct.DirectCall, "__call__", lambda self, args: made.append(self) or call(self, args))
    f = _compile(lambda x: torch.sigmoid(x) * 3)
    base = torch.randn(6, 6)
    with torch.no_grad():
        f(base)
        f(base)
    direct = made[-1]
    assert direct.seen is not None or torch_direct._TensorGuards is None
    odd = make(base)
    out = call(direct, (odd,))
    accepted = isinstance(odd, torch.Tensor) and odd.dtype == torch.float32 and odd.shape == base.shape \
        and odd.is_contiguous() and not odd.is_neg()
    assert (out is not None) == accepted
    if accepted:
        assert_close(out[0], torch.sigmoid(odd.detach()) * 3)
