"""What the backends tell the runtime about devices: microbenchmarks and buffer moves.

The runtime stores device specs but cannot import a backend (DESIGN.md), so the
backends register, through ``runtime.devices``:

- ``measure(device_name) -> dict``: a short microbenchmark (well under a
  second) of peak FLOP/s, memory bandwidth, launch overhead and host link,
  for ``cpu`` (NumPy's BLAS and memcpy, what the ``numpy``/``c`` backends
  reach) and ``xla:*`` (a jitted matmul, copy and tiny call on that platform);
- ``to_device(array, device_name)``: ``jax.device_put`` for ``xla:*`` devices.

The results are cached on disk by ``runtime.devices.measured_spec``.
"""

from __future__ import annotations

import time

import numpy as np

from furcate.runtime import devices


def _best(fn, repeat: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_host(name: str) -> dict:
    """NumPy sgemm/dgemm rate, large-copy bandwidth and the cost of a tiny NumPy call."""
    n = 512
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    a64 = a.astype(np.float64)
    src = np.ones(8 << 20, np.float32)
    dst = np.empty_like(src)
    tiny = np.ones(4, np.float32)
    return {
        "flops": {"f32": 2 * n**3 / _best(lambda: a @ a), "f64": 2 * n**3 / _best(lambda: a64 @ a64)},
        "mem_bandwidth": 2 * src.nbytes / _best(lambda: np.copyto(dst, src)),
        "launch_overhead": _best(lambda: np.add(tiny, tiny), 50),
    }


def _jax_device(name: str):
    import jax

    return jax.devices(name.split(":", 1)[1])[0]


def measure_xla(name: str) -> dict:
    """A jitted matmul, an elementwise copy, a tiny call and a host round trip on one XLA device."""
    import jax
    import jax.numpy as jnp

    device = _jax_device(name)
    n = 512
    a = jax.device_put(np.random.default_rng(0).standard_normal((n, n), dtype=np.float32), device)
    big = jax.device_put(np.ones(2 << 20, np.float32), device)
    tiny = jax.device_put(np.ones(4, np.float32), device)
    mm = jax.jit(lambda x: x @ x)
    inc = jax.jit(lambda x: x + 1)
    host = np.ones(2 << 20, np.float32)
    return {
        "flops": {"f32": 2 * n**3 / _best(lambda: mm(a).block_until_ready())},
        "mem_bandwidth": 2 * big.nbytes / _best(lambda: inc(big).block_until_ready()),
        "launch_overhead": _best(lambda: inc(tiny).block_until_ready(), 50),
        "host_link_bandwidth": host.nbytes / _best(lambda: jax.device_put(host, device).block_until_ready()),
        "host_link_latency": _best(lambda: jax.device_put(tiny, device).block_until_ready(), 20),
        "memory": float((device.memory_stats() or {}).get("bytes_limit", 0)) if name != "xla:cpu" else 0,
    }


def xla_to_device(array, name: str):
    """``array`` as a jax array on the XLA device ``name`` (dtypes kept: x64 on for this call)."""
    import jax

    with jax.enable_x64(True):
        return jax.device_put(array, _jax_device(name))


def register() -> None:
    devices.register_measure("cpu", measure_host)
    devices.register_measure("xla", measure_xla)
    devices.register_transfer("xla", xla_to_device)


__all__ = ["register", "measure_host", "measure_xla", "xla_to_device"]
