"""Which BLAS the generated GEMM kernels call, found once per process.

Candidates: MKL from the environment's ``mkl`` wheel (``libmkl_rt``, GNU OpenMP
threading layer), the OpenBLAS NumPy ships (ILP64, suffixed symbols; already
loaded by NumPy, so no second library), and the one SciPy ships (LP64). A
candidate must have a thread-local thread-count call
(``openblas_set_num_threads_local`` / ``MKL_Set_Num_Threads_Local``): kernels
call the BLAS single-threaded on one output tile per OpenMP thread
(``render_gemm``), so the BLAS's own thread pool never competes with
furcate's for the cores.

Preference on Intel CPUs: where torch is already loaded, its own MKL (``libtorch_cpu``
exports MKL's Fortran ``sgemm_``/``dgemm_`` and ``MKL_Set_Num_Threads_Local``; the header
wraps them in the row-major call the kernels make, and it is taken only if those symbols are
the first global definitions, so no other library's ``sgemm_`` is bound instead), then the
``mkl`` wheel, then OpenBLAS. Measured on a 2-core Intel Xeon (AVX-512, AMX), furcate per
model call, one thread: HF BERT small b1 1.22 -> 1.05 ms, GPT-2 medium b1 69.3 -> 48.6 ms,
ResNet medium b8 68.3 -> 61.7 ms against OpenBLAS, whose packing copies dominate on these
shapes. Elsewhere OpenBLAS first: on the project's 2-core AMD EPYC (AVX-512) machines,
512x1024x4096 sgemm + epilogue, tiled, OpenBLAS ran ~255 GFLOP/s and the ``mkl`` wheel ~219
(single thread: 132 vs 109; MKL takes slower code paths on AMD CPUs). On a 2-core AMD EPYC
(Zen 3, AVX2), ``FURCATE_BLAS=torch-mkl`` against ``openblas`` through ``models_suite.py
--quick --only gpt2,llama`` was mixed within the run-to-run noise (furcate vs inductor
0.76-1.15 with either), so OpenBLAS stays first there. ``FURCATE_BLAS`` (``torch-mkl`` | ``mkl`` |
``openblas`` | ``none``) forces a choice. The library is loaded ``RTLD_GLOBAL`` so kernels
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
    fortran: bool = False  # only the Fortran ``sgemm_``/``dgemm_`` entries: the header wraps them

    def header(self) -> str:
        if self.fortran:
            return _FORTRAN_SHIM.format(lt=self.local_threads)
        t = self.int_type
        return (f"typedef {t} fc_blas_int;\n"
                f"extern void {self.sgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, float, const float *, "
                f"fc_blas_int, const float *, fc_blas_int, float, float *, fc_blas_int);\n"
                f"extern void {self.dgemm}(int, int, int, fc_blas_int, fc_blas_int, fc_blas_int, double, const double *, "
                f"fc_blas_int, const double *, fc_blas_int, double, double *, fc_blas_int);\n"
                f"extern int {self.local_threads}(int);\n"
                f"#define FC_SGEMM {self.sgemm}\n#define FC_DGEMM {self.dgemm}\n"
                f"#define FC_BLAS_LOCAL_THREADS {self.local_threads}\n")


# A row-major cblas_?gemm over the column-major Fortran entry: C = op(A) op(B) row-major is
# C^T = op(B)^T op(A)^T column-major, so the operands swap and so do the sizes.
_FORTRAN_SHIM = """typedef int fc_blas_int;
extern void sgemm_(const char *, const char *, const int *, const int *, const int *, const float *,
                   const float *, const int *, const float *, const int *, const float *, float *, const int *);
extern void dgemm_(const char *, const char *, const int *, const int *, const int *, const double *,
                   const double *, const int *, const double *, const int *, const double *, double *, const int *);
extern int {lt}(int);
#define FC_GEMM_SHIM(NAME, F, T) static inline void NAME(int order, int ta, int tb, int m, int n, int k, T alpha, \\
    const T *a, int lda, const T *b, int ldb, T beta, T *c, int ldc) {{ (void)order; \\
    const char tra = ta == 112 ? 'T' : 'N', trb = tb == 112 ? 'T' : 'N'; \\
    F(&trb, &tra, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc); }}
FC_GEMM_SHIM(fc_shim_sgemm, sgemm_, float)
FC_GEMM_SHIM(fc_shim_dgemm, dgemm_, double)
#define FC_SGEMM fc_shim_sgemm
#define FC_DGEMM fc_shim_dgemm
#define FC_BLAS_LOCAL_THREADS {lt}
"""


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
    torch_mkl = []
    if "torch" in sys.modules:  # torch's own MKL, already loaded: libtorch_cpu exports the Fortran entries
        for d in _site_dirs():
            for p in sorted(glob.glob(os.path.join(d, "torch", "lib", "libtorch_cpu.so"))):
                torch_mkl.append(Blas("torch-mkl", p, "sgemm_", "dgemm_", "int", "MKL_Set_Num_Threads_Local", True))
    return torch_mkl + mkl + openblas if _intel() else openblas + mkl + torch_mkl


def _binds_to(lib, sym: str) -> bool:
    """Does a kernel library's undefined ``sym`` resolve to ``lib``'s? (The first global
    definition wins: another library exporting ``sgemm_``, perhaps with 64-bit integers,
    must not be called in its place.)"""
    here = ctypes.cast(getattr(lib, sym), ctypes.c_void_p).value
    first = ctypes.cast(getattr(ctypes.CDLL(None), sym), ctypes.c_void_p).value
    return here == first


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
            if b.fortran and not all(_binds_to(lib, sym) for sym in (b.sgemm, b.dgemm, b.local_threads)):
                raise OSError(f"another library's {b.sgemm} comes first in the global symbol scope")
        except (OSError, AttributeError) as e:
            log("codegen").debug("BLAS %s unusable: %s", b.path, e)
            continue
        log("codegen").debug("BLAS: %s (%s)", b.name, b.path)
        return b
    log("fallback").warning("no BLAS library found: GEMMs run on the numpy backend")
    return None
