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
    base = D.host_base()
    assert D.sanity_check("cpu", base, m) == m  # nothing implausible
    assert m["flops"]["f32"] >= m["flops"]["f64"] > 0
    assert 1e-8 < m["launch_overhead"] < 1e-4


def test_xla_transfer_hands_over_the_host_array():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert H.xla_to_device(x, "xla:cpu") is x
    jax = pytest.importorskip("jax")
    y = H.xla_to_device(jax.numpy.ones(3), "xla:cpu")
    assert type(y) is np.ndarray and y.tolist() == [1.0, 1.0, 1.0]
