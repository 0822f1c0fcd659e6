"""The backends' device microbenchmarks and transfer hooks (live, on this machine: the
numbers must be plausible, not exact; placement tests never use them)."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.backends import device_hooks as H
from furcate.runtime import devices as D


def test_best_time_is_the_fastest_run(monkeypatch):
    monkeypatch.setattr(H, "PAUSE_S", 0.0)
    clock = iter([0.0, 0.0, 5.0, 10.0, 10.5, 20.0, 23.0, 30.0, 31.0])  # start, then runs of 5, 0.5, 3, 1 s
    monkeypatch.setattr(H.time, "perf_counter", lambda: next(clock))
    assert H.best_time(lambda: None, repeat=4, budget_s=100) == 0.5


def test_host_measurement_is_plausible_and_uses_the_c_backends_blas(monkeypatch):
    monkeypatch.setattr(H, "REPEAT", 4)
    from furcate.backends.c.blas import find_blas

    m = H.measure_host("cpu")
    blas = find_blas()
    assert m["gemm"] == (blas.name if blas is not None else "numpy")
    assert all(v > 0 for v in m["flops"].values()) and m["mem_bandwidth"] > 0
    assert 1e-8 < m["launch_overhead"] < 1e-3
    # A live measurement on a shared machine can be disturbed; sanity_check then drops that
    # number (with a warning) so the default is kept. What it keeps is plausible.
    base = D.host_base()
    checked = D.sanity_check("cpu", base, m)
    lo, hi = D.PLAUSIBLE["flops"]
    for dt, rate in checked["flops"].items():
        assert lo <= rate / base.flops(dt) <= hi, (dt, rate)
    if {"f32", "f64"} <= set(checked["flops"]):
        assert checked["flops"]["f32"] >= checked["flops"]["f64"]


def test_xla_transfer_hands_over_the_host_array():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert H.xla_to_device(x, "xla:cpu") is x
    jax = pytest.importorskip("jax")
    y = H.xla_to_device(jax.numpy.ones(3), "xla:cpu")
    assert type(y) is np.ndarray and y.tolist() == [1.0, 1.0, 1.0]
