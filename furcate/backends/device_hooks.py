"""What the backends tell the runtime about devices: microbenchmarks and buffer moves.

The runtime stores device specs but cannot import a backend (docs/architecture.md, the layers), so the
backends register, through ``runtime.devices``:

- ``measure(device_name) -> dict``: a short microbenchmark of peak FLOP/s,
  memory bandwidth and launch overhead, for ``cpu`` (a 1024³ sgemm and 512³
  dgemm through the BLAS the C backend calls, ``c.blas.find_blas()``, or
  NumPy's matmul when it has none; a STREAM-"add" pass over arrays larger than
  the last-level cache; a tiny ctypes BLAS call) and ``xla:*`` (the same
  shapes compiled and run by furcate's XLA backend, through the input and
  output path its steps use). Every number is the *best* of several timed runs
  (maximum throughput, not the mean: on a shared machine a run is only ever
  slowed down), after one untimed run and a short idle pause (another
  library's spinning worker threads distort the next one). The runtime then
  drops numbers that are implausible against the datasheet-like default
  (``runtime.devices.sanity_check``) and caches the rest on disk.
- ``to_device(array, device_name)`` for ``xla:*``: furcate's XLA steps take
  host NumPy arrays and bind them themselves (``xla.pjrt.Runner``: in place on
  the CPU client when the array is contiguous and 64-byte aligned, through a
  reused aligned staging buffer otherwise; a device copy on GPU/TPU). So a
  transfer to an XLA device hands over the host array as it is: no
  ``jax.device_put`` (~20 µs under ``enable_x64``) and, on ``xla:cpu``, no
  copy at all.
"""

from __future__ import annotations

import ctypes
import time

import numpy as np

from furcate.runtime import devices

GEMM_N = {"f32": 1024, "f64": 512}  # 2.1 / 0.27 GFLOP: ~10 / ~3 ms at this host's peak
STREAM_ELEMS = 8 << 20  # three f32 arrays of 32 MiB: three times this host's 32 MiB L3
REPEAT = 7
PAUSE_S = 0.1


def best_time(fn, repeat: int = REPEAT, budget_s: float = 1.0) -> float:
    """The shortest of ``repeat`` timed calls of ``fn`` (after an idle pause and one untimed
    call), stopping early once ``budget_s`` is spent and at least three calls were timed."""
    time.sleep(PAUSE_S)
    fn()
    best = float("inf")
    start = time.perf_counter()
    for i in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        best = min(best, t)
        if i >= 2 and t0 + t - start > budget_s:
            break
    return best


# --------------------------------------------------------------------------
# the host: the C backend's BLAS


class _CblasGemm:
    """``C = A @ B`` (row-major, square) through one BLAS library's ``cblas_?gemm``, called with
    ctypes like the C backend's kernels call it (they link the same library);
    ``single_thread()`` limits the calling thread's BLAS to one thread, as the C backend's
    kernels do (one single-threaded BLAS call per OpenMP thread, ``c/render_gemm.py``)."""

    def __init__(self, blas, dtype: str):
        lib = ctypes.CDLL(blas.path, mode=ctypes.RTLD_GLOBAL)
        int_t = ctypes.c_int64 if blas.int_type == "int64_t" else ctypes.c_int
        scalar = ctypes.c_float if dtype == "f32" else ctypes.c_double
        fn = getattr(lib, blas.sgemm if dtype == "f32" else blas.dgemm)
        ptr = ctypes.c_void_p
        self.fortran, self.int_t, self.scalar = blas.fortran, int_t, scalar
        if blas.fortran:  # sgemm_(transa, transb, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc)
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, *[ptr] * 11]
        else:
            fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, int_t, int_t, int_t, scalar, ptr, int_t,
                           ptr, int_t, scalar, ptr, int_t]
        fn.restype = None
        self.fn = fn
        self.local_threads = getattr(lib, blas.local_threads)
        self.local_threads.argtypes = [ctypes.c_int]
        self.local_threads.restype = ctypes.c_int

    def __call__(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
        n = a.shape[0]
        if self.fortran:  # column-major: C^T = B^T A^T, so b comes first
            ref = ctypes.byref
            nn, one, zero = self.int_t(n), self.scalar(1.0), self.scalar(0.0)
            self.fn(b"N", b"N", ref(nn), ref(nn), ref(nn), ref(one), b.ctypes.data, ref(nn), a.ctypes.data,
                    ref(nn), ref(zero), c.ctypes.data, ref(nn))
            return
        self.fn(101, 111, 111, n, n, n, 1.0, a.ctypes.data, n, b.ctypes.data, n, 0.0, c.ctypes.data, n)

    def single_thread_rate(self, a, b, c) -> float:
        prev = self.local_threads(1)
        try:
            return 2 * a.shape[0] ** 3 / best_time(lambda: self(a, b, c))
        finally:
            self.local_threads(prev)


def _host_gemm(dtype: str):
    """(``gemm(a, b, c)``, what it is): the C backend's BLAS, else NumPy's matmul."""
    try:
        from furcate.backends.c.blas import find_blas

        blas = find_blas()
    except ImportError:
        blas = None
    if blas is None:
        return (lambda a, b, c: np.matmul(a, b, out=c)), "numpy"
    return _CblasGemm(blas, dtype), blas.name


def measure_host(name: str) -> dict:
    """Best-of-N sgemm/dgemm rate through the C backend's BLAS, STREAM-add bandwidth, and the
    cost of one tiny ctypes BLAS call (what calling a compiled kernel costs).

    The GEMM rate is the larger of one BLAS call using every core and ``cores`` times the
    single-threaded rate: the C backend runs one single-threaded call per core, and on a
    shared machine a single-threaded run finds a quiet core far more often than a run that
    needs all of them at once."""
    import os

    rng = np.random.default_rng(0)
    flops, used = {}, ""
    for dtype, n in GEMM_N.items():
        gemm, used = _host_gemm(dtype)
        a = rng.standard_normal((n, n)).astype(np.dtype("float32" if dtype == "f32" else "float64"))
        b, c = a[::-1].copy(), np.empty_like(a)
        gemm(a, b, c)
        if not np.allclose(c[:4, :4], (a[:4] @ b[:, :4]), rtol=1e-3, atol=1e-2):
            raise RuntimeError(f"{used} {dtype} gemm gave a wrong product: not measuring with it")
        rate = 2 * n**3 / best_time(lambda: gemm(a, b, c))
        if isinstance(gemm, _CblasGemm):
            rate = max(rate, (os.cpu_count() or 1) * gemm.single_thread_rate(a, b, c))
        flops[dtype] = rate
    x, y = np.ones(STREAM_ELEMS, np.float32), np.full(STREAM_ELEMS, 2.0, np.float32)
    z = np.empty_like(x)
    bandwidth = 3 * x.nbytes / best_time(lambda: np.add(x, y, out=z))
    gemm, _ = _host_gemm("f32")
    one = np.ones((1, 1), np.float32)
    out = np.empty_like(one)
    launch = best_time(lambda: gemm(one, one, out), repeat=200, budget_s=0.05)
    return {"flops": flops, "mem_bandwidth": bandwidth, "launch_overhead": launch, "gemm": used}


# --------------------------------------------------------------------------
# XLA devices: furcate's own XLA backend


def _xla_step(platform: str, build):
    """The one step kernel of a furcate program built by ``build(GraphBuilder)``, compiled by
    the XLA backend for ``platform``, and the executable's constants it reads."""
    from furcate.backends.registry import get_backend
    from furcate.ir.builder import GraphBuilder

    b = GraphBuilder()
    program = b.finish(build(b))
    exe = get_backend("xla").compile(program, {"xla_platform": platform, "name": "measure"})
    (step,) = exe.steps
    return step


def measure_xla(name: str) -> dict:
    """Best-of-N matmul, STREAM-add and tiny-call times of programs compiled by furcate's XLA
    backend on one XLA device, and (off the host) the time to move a host array there."""
    from furcate.dtypes import TensorSpec

    platform = name.split(":", 1)[1]
    n = GEMM_N["f32"]

    def matmul(b):
        x = b.arg(TensorSpec((n, n), "f32"))
        return [b.op("dot_general", x, x, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
                     lhs_batching_dimensions=[], rhs_batching_dimensions=[])]

    def add(size):
        def build(b):
            x, y = b.arg(TensorSpec((size,), "f32")), b.arg(TensorSpec((size,), "f32"))
            return [b.op("add", x, y)]

        return build

    rng = np.random.default_rng(0)
    a = _aligned(rng.standard_normal((n, n)).astype(np.float32))
    # half the host's arrays: XLA allocates a fresh result per call, and at 32 MiB glibc maps
    # it anew each time (page faults: a per-allocation cost, not a per-byte one)
    x = _aligned(np.ones(STREAM_ELEMS // 2, np.float32))
    tiny = _aligned(np.ones(4, np.float32))
    mm, big, small = _xla_step(platform, matmul), _xla_step(platform, add(x.size)), _xla_step(platform, add(4))
    out = {
        "flops": {"f32": 2 * n**3 / best_time(lambda: mm.kernel(a))},
        "mem_bandwidth": 3 * x.nbytes / best_time(lambda: big.kernel(x, x)),
        "launch_overhead": best_time(lambda: small.kernel(tiny, tiny), repeat=200, budget_s=0.05),
    }
    if platform != "cpu":  # xla:cpu shares host memory: the link is the runtime's in-domain copy
        import jax

        device = jax.devices(platform)[0]
        out["host_link_bandwidth"] = x.nbytes / best_time(lambda: jax.device_put(x, device).block_until_ready())
        out["host_link_latency"] = best_time(lambda: jax.device_put(tiny, device).block_until_ready(), 20)
        out["memory"] = float((device.memory_stats() or {}).get("bytes_limit", 0))
    return out


def _aligned(a: np.ndarray) -> np.ndarray:
    """``a`` in a 64-byte aligned buffer, the form XLA's CPU client uses without a copy."""
    from furcate.backends.xla.pjrt import aligned_empty

    out = aligned_empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def xla_to_device(array, name: str):
    """``array`` as an input of furcate's XLA steps on device ``name``: the host NumPy array
    itself (see the module doc: the XLA step binds it, in place on the CPU client)."""
    return array if type(array) is np.ndarray else np.asarray(array)


def register() -> None:
    devices.register_measure("cpu", measure_host)
    devices.register_measure("xla", measure_xla)
    devices.register_transfer("xla", xla_to_device)


__all__ = ["register", "measure_host", "measure_xla", "xla_to_device", "best_time"]
