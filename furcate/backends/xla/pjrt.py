"""The only module that touches jaxlib's undocumented PJRT client API.

``jax.extend.backend.get_backend(platform)`` gives the XLA client of a
platform; ``client.compile_and_load(stablehlo_text, devices, options)``
compiles a module and ``executable.execute([jax arrays])`` runs it. These are
not public JAX API (checked with jax/jaxlib 0.10.2; see
``tests/backends/test_xla_pjrt.py``), so every call to them lives here.

Compiled executables are cached in-process per (StableHLO text, platform).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from furcate.diagnostics import STATS, log


class PjrtError(RuntimeError):
    """XLA refused to compile or run a module (its message is kept)."""


def default_platform() -> str:
    """The platform JAX runs on by default here: ``cpu``, ``gpu`` or ``tpu``."""
    import jax

    return jax.default_backend()


def get_client(platform: str):
    """The XLA client of ``platform`` (``cpu``, ``gpu``/``cuda``/``rocm``, ``tpu``)."""
    import jax.extend.backend as jeb

    try:
        return jeb.get_backend(platform)
    except RuntimeError as e:
        raise PjrtError(f"XLA platform {platform!r} is not available here: {e}") from None


@dataclass
class Compiled:
    """One loaded XLA executable and the device it runs on."""

    executable: object
    device: object
    platform: str


_cache: dict[tuple[str, str], Compiled] = {}
_lock = threading.Lock()
compile_count = 0  # XLA compilations done by this process (cache misses)


def compile(text: str, platform: str) -> Compiled:
    """Compile StableHLO text for ``platform`` on its first device; cached per (text, platform)."""
    global compile_count
    key = (text, platform)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        with STATS.lock:
            STATS.cache_hits += 1
        log("cache").debug("xla: in-process cache hit (%s)", platform)
        return hit
    import jax.extend.backend as jeb

    client = get_client(platform)
    device = client.local_devices()[0]
    options = jeb.get_compile_options(num_replicas=1, num_partitions=1)
    try:
        exe = client.compile_and_load(text, [device], options)
    except Exception as e:  # jaxlib raises JaxRuntimeError / XlaRuntimeError
        raise PjrtError(f"XLA ({platform}) rejected the module: {e}") from None
    compiled = Compiled(exe, device, platform)
    with _lock:
        _cache[key] = compiled
        compile_count += 1
    with STATS.lock:
        STATS.cache_misses += 1
    return compiled


def to_device(arrays, compiled: Compiled) -> list:
    """Arrays (NumPy or jax) as jax arrays on the executable's device, dtypes kept.

    ``jax.device_put`` turns f64/i64 into f32/i32 unless x64 is on; it is switched
    on for this call only (a thread-local config context), not for the user's JAX.
    """
    import jax

    with jax.enable_x64(True):
        return jax.device_put(list(arrays), compiled.device)


def execute(compiled: Compiled, args) -> list[np.ndarray]:
    """Run the executable; outputs come back as NumPy arrays (read-only, zero-copy on CPU)."""
    try:
        outs = compiled.executable.execute(to_device(args, compiled))
    except Exception as e:
        raise PjrtError(f"XLA ({compiled.platform}) failed to run the module: {e}") from None
    return [np.asarray(o) for o in outs]
