"""Which BLAS the generated GEMM kernels call, found once per process.

Candidates: MKL from the environment's ``mkl`` wheel (``libmkl_rt``, GNU OpenMP
threading layer), the OpenBLAS NumPy ships (ILP64, suffixed symbols; already
loaded by NumPy, so no second library), and the one SciPy ships (LP64). A
candidate must have a thread-local thread-count call
(``openblas_set_num_threads_local`` / ``MKL_Set_Num_Threads_Local``): kernels
call the BLAS single-threaded on one output tile per OpenMP thread
(``render_gemm``), so the BLAS's own thread pool never competes with
furcate's for the cores.

Preference: MKL on Intel CPUs, OpenBLAS elsewhere. Measured on this project's
2-core AMD EPYC (AVX-512) machines, 512x1024x4096 sgemm + epilogue, tiled:
OpenBLAS ~255 GFLOP/s, MKL ~219 (single thread: 132 vs 109 GFLOP/s; MKL takes
slower code paths on AMD CPUs). ``FURCATE_BLAS`` (``mkl`` | ``openblas`` |
``none``) forces a choice. The library is loaded ``RTLD_GLOBAL`` so kernels
resolve its symbols at ``dlopen`` time.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
from dataclasses import dataclass
from functools import lru_cache

from furcate.diagnostics import log


@dataclass(frozen=True)
class Blas:
    name: str
    path: str
    sgemm: str
    dgemm: str
    int_type: str  # C type of BLAS integers
    local_threads: str  # int f(int): set this thread's BLAS thread count, return the previous one

    def header(self) -> str:
        t = self.int_type
        return (f"typedef {t} fc_blas_int;\n"
                f"extern void {self.sgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, float, const float *, "
                f"fc_blas_int, const float *, fc_blas_int, float, float *, fc_blas_int);\n"
                f"extern void {self.dgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, double, const double *, "
                f"fc_blas_int, const double *, fc_blas_int, double, double *, fc_blas_int);\n"
                f"extern int {self.local_threads}(int);\n"
                f"#define FC_SGEMM {self.sgemm}\n#define FC_DGEMM {self.dgemm}\n"
                f"#define FC_BLAS_LOCAL_THREADS {self.local_threads}\n")


def _site_dirs() -> list[str]:
    dirs = [os.path.join(sys.prefix, "lib")]
    for p in sys.path:
        if p.endswith("site-packages") and os.path.isdir(p):
            dirs.append(p)
    return dirs


def _intel() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return "GenuineIntel" in f.read(4096)
    except OSError:
        return False


def _candidates() -> list[Blas]:
    mkl, openblas = [], []
    for d in _site_dirs():
        for p in sorted(glob.glob(os.path.join(d, "libmkl_rt.so*"))):
            mkl.append(Blas("mkl", p, "cblas_sgemm", "cblas_dgemm", "int", "MKL_Set_Num_Threads_Local"))
        for p in sorted(glob.glob(os.path.join(d, "numpy.libs", "libscipy_openblas64_*.so"))):
            openblas.append(Blas("openblas", p, "scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", "int64_t",
                                 "openblas_set_num_threads_local"))
        for p in sorted(glob.glob(os.path.join(d, "scipy.libs", "libscipy_openblas-*.so"))):
            openblas.append(Blas("openblas", p, "scipy_cblas_sgemm", "scipy_cblas_dgemm", "int",
                                 "openblas_set_num_threads_local"))
    return mkl + openblas if _intel() else openblas + mkl


@lru_cache(maxsize=None)
def find_blas() -> Blas | None:
    """The BLAS to use (loaded into the process), or None: GEMMs then run on NumPy."""
    want = os.environ.get("FURCATE_BLAS", "").strip().lower()
    if want == "none":
        return None
    for b in _candidates():
        if want and b.name != want:
            continue
        try:
            if b.name == "mkl":
                os.environ.setdefault("MKL_THREADING_LAYER", "GNU")
            lib = ctypes.CDLL(b.path, mode=ctypes.RTLD_GLOBAL)
            for sym in (b.sgemm, b.dgemm, b.local_threads):
                getattr(lib, sym)
        except (OSError, AttributeError) as e:
            log("codegen").debug("BLAS %s unusable: %s", b.path, e)
            continue
        log("codegen").debug("BLAS: %s (%s)", b.name, b.path)
        return b
    log("fallback").warning("no BLAS library found: GEMMs run on the numpy backend")
    return None
