"""Placement through the entry points: ``torch.compile(..., options={"devices", "placement"})``
and ``furcate.jit(fn, devices=..., placement=...)`` — on simulated devices (costed as an H100,
executed on the host) and really split between the C backend and XLA's CPU client. Results
equal eager PyTorch / JAX, and the groups sit where the pins say."""

from __future__ import annotations

import numpy as np
import pytest

import furcate
from furcate import compiler
from furcate.runtime.devices import Device, make_spec, simulated
from tests.tolerance import assert_close

HOST = Device("cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 3e-6), ("c", "numpy"))
XLA_CPU = Device("xla:cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 10e-6), ("xla",),
                 memory_domain="host")


@pytest.fixture
def plans(monkeypatch):
    """The placement plans of every program compiled while the test runs."""
    seen = []
    real = compiler.compile_placed

    def spy(program, options, run_pipeline):
        exe = real(program, options, run_pipeline)
        seen.append((exe.placement, exe))
        return exe

    monkeypatch.setattr(compiler, "compile_placed", spy)
    return seen


def devices_of(plan, word: str) -> set[str]:
    return {dec.device for dec in plan.decisions if word in dec.label}


# --------------------------------------------------------------------------
# torch.compile


def _torch_model():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch, torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.Tanh(), torch.nn.Linear(128, 16)).eval()


@pytest.mark.parametrize("where", ["sim", "xla"])
def test_torch_compile_passes_devices_and_pins(plans, where):
    if where == "xla":
        pytest.importorskip("jax")
    torch, model = _torch_model()
    accel = simulated("h100") if where == "sim" else XLA_CPU
    compiled = torch.compile(model, backend="furcate",
                             options={"devices": [HOST, accel], "placement": {"dot_general": accel.name,
                                                                              "tanh": "cpu"}})
    x = torch.randn(32, 64)
    with torch.no_grad():
        got, want = compiled(x), model(x)
    assert isinstance(got, torch.Tensor)
    assert_close(got.numpy(), want.numpy(), accumulated=True)
    assert plans, "torch.compile did not reach the placement driver"
    plan, exe = plans[-1]
    assert devices_of(plan, "dot_general") == {accel.name}
    assert devices_of(plan, "tanh") == {"cpu"}
    pinned = [dec for dec in plan.decisions if "dot_general" in dec.label or "tanh" in dec.label]
    assert pinned and all(dec.reason == "pinned" for dec in pinned)
    targets = {s.device: s.target for s in exe.steps if s.target != "transfer"}
    assert targets[accel.name] == ("numpy" if where == "sim" else "xla")
    assert targets["cpu"] in ("c", "numpy")


# --------------------------------------------------------------------------
# furcate.jit


def _jax_fn():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    w1 = np.random.default_rng(0).standard_normal((64, 128)).astype(np.float32) / 8
    w2 = np.random.default_rng(1).standard_normal((128, 16)).astype(np.float32) / 8

    def fn(x):
        h = jnp.tanh(x @ w1)
        return jnp.sum(jnp.exp(h @ w2), axis=1), h

    return jax, fn


@pytest.mark.parametrize("where", ["sim", "xla"])
def test_furcate_jit_passes_devices_and_pins(plans, where):
    jax, fn = _jax_fn()
    accel = simulated("h100") if where == "sim" else XLA_CPU
    jitted = furcate.jit(fn, devices=[HOST, accel], placement={"dot_general": accel.name, "reduce": "cpu"})
    x = np.random.default_rng(2).standard_normal((32, 64)).astype(np.float32)
    got, want = jitted(x), jax.jit(fn)(x)
    for g, w in zip(got, want):
        assert isinstance(g, jax.Array)
        assert_close(np.asarray(g), np.asarray(w), accumulated=True)
    (plan, exe), = plans
    assert devices_of(plan, "dot_general") == {accel.name}
    assert devices_of(plan, "reduce") == {"cpu"}
    assert {s.device for s in exe.steps} == {"cpu", accel.name}
    jitted(x)
    assert len(plans) == 1  # the second call reuses the placed executable


def test_furcate_jit_free_placement_on_simulated_gpu_refuses_to_split_a_group(plans):
    """No pins: the cost model decides. The simulated GPU runs GEMMs but not tanh, so the
    gemm+tanh group is split by fusing per device after placement (strategy "ops")."""
    jax, _ = _jax_fn()
    jnp = jax.numpy
    w = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32) / 16

    def fn(x):
        return jnp.tanh(x @ w)

    gpu = simulated("h100", ops={"dot_general"})
    x = np.random.default_rng(3).standard_normal((256, 512)).astype(np.float32)
    got = furcate.jit(fn, devices=[HOST, gpu])(x)
    assert_close(np.asarray(got), np.asarray(jax.jit(fn)(x)), accumulated=True)
    (plan, _), = plans
    assert plan.strategy == "ops" and plan.alternatives["ops"] < plan.alternatives["groups"]
    assert devices_of(plan, "dot_general") == {"sim:h100"} and devices_of(plan, "tanh") == {"cpu"}
