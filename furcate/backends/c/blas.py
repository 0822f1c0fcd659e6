"""Which BLAS the generated GEMM kernels call, found once per process.

Preference: MKL from the environment's ``mkl`` wheel (``libmkl_rt``, GNU
OpenMP threading layer so it shares libgomp's thread pool with furcate's
kernels), then the OpenBLAS that SciPy ships (LP64), then NumPy's (ILP64,
suffixed symbols). The library is loaded ``RTLD_GLOBAL`` so kernels resolve
``FC_SGEMM``/``FC_DGEMM`` against it at ``dlopen`` time. ``FURCATE_BLAS``
(``mkl`` | ``openblas`` | ``none``) forces a choice.
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

    def header(self) -> str:
        t = self.int_type
        return (f"typedef {t} fc_blas_int;\n"
                f"extern void {self.sgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, float, const float *, "
                f"fc_blas_int, const float *, fc_blas_int, float, float *, fc_blas_int);\n"
                f"extern void {self.dgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, double, const double *, "
                f"fc_blas_int, const double *, fc_blas_int, double, double *, fc_blas_int);\n"
                f"#define FC_SGEMM {self.sgemm}\n#define FC_DGEMM {self.dgemm}\n")


def _site_dirs() -> list[str]:
    dirs = [os.path.join(sys.prefix, "lib")]
    for p in sys.path:
        if p.endswith("site-packages") and os.path.isdir(p):
            dirs.append(p)
    return dirs


def _candidates() -> list[Blas]:
    out = []
    for d in _site_dirs():
        for p in sorted(glob.glob(os.path.join(d, "libmkl_rt.so*"))):
            out.append(Blas("mkl", p, "cblas_sgemm", "cblas_dgemm", "int"))
    for d in _site_dirs():
        for p in sorted(glob.glob(os.path.join(d, "scipy.libs", "libscipy_openblas-*.so"))):
            out.append(Blas("openblas", p, "scipy_cblas_sgemm", "scipy_cblas_dgemm", "int"))
        for p in sorted(glob.glob(os.path.join(d, "numpy.libs", "libscipy_openblas64_*.so"))):
            out.append(Blas("openblas", p, "scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", "int64_t"))
    return out


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
            getattr(lib, b.sgemm)
        except (OSError, AttributeError) as e:
            log("codegen").debug("BLAS %s unusable: %s", b.path, e)
            continue
        log("codegen").debug("BLAS: %s (%s)", b.name, b.path)
        return b
    log("fallback").warning("no BLAS library found: GEMMs run on the numpy backend")
    return None
