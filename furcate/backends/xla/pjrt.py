"""The only module that touches jaxlib's undocumented PJRT client API.

``client.compile_and_load(stablehlo_text, devices, options)`` compiles a
module; ``jaxlib``'s ``batched_device_put`` binds a host array to a device
buffer and ``LoadedExecutable.execute`` runs the module. None of these is
public JAX API (checked with jax/jaxlib 0.10.2), so every call to them lives
here.

Clients: on ``cpu`` furcate uses its own *synchronous* XLA CPU client
(``make_cpu_client(asynchronous=False)``): a call runs on the caller's thread
instead of being handed to a worker thread and waited for, which saves ~25 µs
per call; XLA's intra-op thread pool is used as before. Other platforms
(``gpu``/``cuda``/``rocm``, ``tpu``) use JAX's own client.

Copies (``Runner``): on CPU an input that is C-contiguous and 64-byte aligned
(what XLA's CPU runtime requires) is used in place (PJRT's ``ZERO_COPY`` host
buffer semantics). A jax Array that already lives on the executable's device
(same client and device: on GPU/TPU, arrays of the user's own JAX computations)
is passed to XLA as it is, never brought back to the host. A larger unaligned
input (NumPy's big allocations sit 16 bytes off a page) or any non-contiguous
one is copied into an aligned staging buffer that is reused across calls: 12 ms
for 64 MiB here, where PJRT's own copy takes 98 ms. Small unaligned inputs are
left to PJRT. Outputs come back
as writeable NumPy views of the XLA result buffers (no copy); the view keeps
the buffer alive. Each call's result buffers are fresh and owned by that call
alone (XLA copies a returned parameter or constant, and a value returned
twice, into distinct result buffers), so writing to them is safe. Off CPU,
host inputs are transferred and outputs copied back to host memory.

Every failure of these calls is a ``PjrtError``, a ``furcate.FurcateError``.

Compiled executables are cached in-process per (StableHLO text, platform).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from furcate.diagnostics import STATS, log
from furcate.errors import FurcateError

ALIGNMENT = 64  # bytes: XLA's CPU runtime uses a host buffer in place only at this alignment
# Unaligned inputs smaller than this are left to PJRT (which copies them; cheap at this size,
# and checking the address costs ~1 µs); larger ones are copied into a reused staging buffer.
STAGE_MIN_BYTES = 64 * 1024


class PjrtError(FurcateError, RuntimeError):
    """XLA refused to compile or run a module, or to take an array (its message is kept)."""


def default_platform() -> str:
    """The platform JAX runs on by default here: ``cpu``, ``gpu`` or ``tpu``."""
    import jax

    return jax.default_backend()


_cpu_client = None
_client_lock = threading.Lock()


def get_client(platform: str):
    """The XLA client of ``platform``: furcate's synchronous CPU client, else JAX's client."""
    global _cpu_client
    import jax.extend.backend as jeb

    try:
        client = jeb.get_backend(platform)  # also sets up jaxlib's logging before a client of ours
    except RuntimeError as e:
        raise PjrtError(f"XLA platform {platform!r} is not available here: {e}") from None
    if platform != "cpu":
        return client
    with _client_lock:
        if _cpu_client is None:
            from jaxlib import xla_client

            _cpu_client = xla_client.make_cpu_client(asynchronous=False)
        return _cpu_client


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


def optimized_hlo(compiled: Compiled) -> str:
    """The HLO XLA runs after its optimization passes (for comparing lowerings)."""
    return "\n".join(m.to_string() for m in compiled.executable.hlo_modules())


def to_device(arrays, compiled: Compiled) -> list:
    """Host arrays copied into buffers of the executable's device, dtypes kept (f64/i64 too).

    Used for weights at compile time: always a copy, so that later writes to the
    host arrays cannot change a compiled program's constants.
    """
    from jax._src import core
    from jax._src.lib import xla_client as xc
    from jax.sharding import SingleDeviceSharding

    sharding, devices = SingleDeviceSharding(compiled.device), [compiled.device]
    out = []
    for a in arrays:
        a = np.asarray(a)
        aval = core.ShapedArray(a.shape, a.dtype)
        try:
            out.append(xc.batched_device_put(aval, sharding, [a], devices, True, True, enable_x64=True))
        except Exception as e:  # jaxlib raises JaxRuntimeError (e.g. out of device memory)
            raise PjrtError(f"XLA ({compiled.platform}) could not take a {a.dtype}{list(a.shape)} weight: {e}") \
                from None
    return out


class Runner:
    """Runs one compiled executable: host inputs (then device-resident weights) in,
    NumPy outputs out, without copies where the platform allows (see module doc).

    What does not depend on the call's data (sharding, device list, which outputs
    can be viewed in place) is built once here; avals are cached per (shape, dtype);
    the staging buffers of unaligned inputs live as long as the runner.
    """

    def __init__(self, compiled: Compiled, n_host_inputs: int):
        from jax._src import core
        from jax._src.array import ArrayImpl
        from jax._src.lib import xla_client as xc
        from jax.sharding import SingleDeviceSharding

        exe = compiled.executable
        self.compiled = compiled
        self._execute = exe.execute
        self._device_put = xc.batched_device_put
        self._devices = [compiled.device]
        self._sharding = SingleDeviceSharding(compiled.device)
        self._jax_array = ArrayImpl
        self._n_host = n_host_inputs
        self._shaped_array = core.ShapedArray
        self._avals: dict[tuple, object] = {}
        self.on_cpu = compiled.device.platform == "cpu"
        self._staging: dict[int, np.ndarray] = {}
        self._staging_lock = threading.Lock()
        # outputs are viewed in place only in XLA's default (row-major) layout
        self._in_place_out = [self.on_cpu and _row_major(layout) for layout in exe.get_output_layouts()]

    def __call__(self, *args) -> list[np.ndarray]:
        if self._staging_lock.acquire(blocking=False):
            try:
                return self._run(args, self._staging)
            finally:
                self._staging_lock.release()
        return self._run(args, None)  # another thread is inside this runner: no shared staging

    def bind(self, args, staging: dict | None = None) -> list:
        """The call's arguments as device buffers: host inputs bound (in place where
        possible), device-resident weights passed through."""
        n = self._n_host
        bufs = [self._bind(i, a, staging) for i, a in enumerate(args[:n])]
        bufs.extend(args[n:])
        return bufs

    def _run(self, args, staging) -> list[np.ndarray]:
        try:
            outs = self._execute(self.bind(args, staging))
            return [_host_view(o) if in_place else _host_copy(o) for o, in_place in zip(outs, self._in_place_out)]
        except Exception as e:  # jaxlib raises JaxRuntimeError (binding, running, or reading a result)
            raise PjrtError(f"XLA ({self.compiled.platform}) failed to run the module: {e}") from None

    def _bind(self, i: int, a, staging):
        """Argument ``i`` as a device buffer: a jax Array on this executable's device as it is;
        a host array in place if aligned and contiguous, else via staging."""
        if type(a) is not np.ndarray:
            if type(a) is self._jax_array and a.sharding == self._sharding:
                return a
            a = np.asarray(a)
        if self.on_cpu and a.size and (not a.flags.c_contiguous
                                       or a.nbytes >= STAGE_MIN_BYTES and a.ctypes.data % ALIGNMENT):
            a = self._stage(i, a, staging)
        key = (a.shape, a.dtype)
        aval = self._avals.get(key)
        if aval is None:
            aval = self._avals[key] = self._shaped_array(a.shape, a.dtype)
        return self._device_put(aval, self._sharding, [a], self._devices, True, enable_x64=True)

    def _stage(self, i: int, a: np.ndarray, staging) -> np.ndarray:
        """``a`` copied into an aligned C-contiguous buffer (reused across calls when ``staging``)."""
        buf = staging.get(i) if staging is not None else None
        if buf is None or buf.shape != a.shape or buf.dtype != a.dtype:
            buf = aligned_empty(a.shape, a.dtype)
            if staging is not None:
                staging[i] = buf
        np.copyto(buf, a, casting="no")
        return buf


def aligned_empty(shape, dtype) -> np.ndarray:
    """An uninitialized C-contiguous array whose data is ``ALIGNMENT``-byte aligned."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, np.uint8)
    off = (-raw.ctypes.data) % ALIGNMENT
    return raw[off:off + nbytes].view(dtype).reshape(shape)


class _HostBuffer:
    """Exposes an XLA CPU result buffer to NumPy (``__array_interface__``) and keeps it alive."""

    __slots__ = ("__array_interface__", "owner")

    def __init__(self, owner, pointer: int, shape: tuple, typestr: str):
        self.owner = owner
        self.__array_interface__ = {"shape": shape, "typestr": typestr, "data": (pointer, False), "version": 3}


def _host_view(out) -> np.ndarray:
    """A writeable NumPy view of an XLA CPU result buffer (no copy)."""
    dtype = np.dtype(out.dtype)
    shape = tuple(out.shape)
    if 0 in shape:
        return np.empty(shape, dtype)
    out.block_until_ready()
    if dtype.kind == "V":  # ml_dtypes (bf16): NumPy's interface knows only the raw bytes
        view = np.asarray(_HostBuffer(out, out.unsafe_buffer_pointer(), shape, f"|V{dtype.itemsize}"))
        return view.view(dtype)
    return np.asarray(_HostBuffer(out, out.unsafe_buffer_pointer(), shape, dtype.str))


def _host_copy(out) -> np.ndarray:
    """A result buffer copied to a writeable host array (one copy where jaxlib makes one anyway)."""
    array, copied = out._single_device_array_to_np_array_did_copy()
    return array if copied and array.flags.writeable else np.array(array)


def _row_major(layout) -> bool:
    """True if a PJRT layout is XLA's default descending (row-major, untiled) layout."""
    xla = layout._xla_layout()
    m2m = list(xla.minor_to_major())
    return m2m == sorted(m2m, reverse=True) and not xla.tiling()
