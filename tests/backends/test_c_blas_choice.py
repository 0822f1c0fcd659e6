"""torch's own MKL as the C backend's BLAS (``FURCATE_BLAS=torch-mkl``, the Intel default
where torch is loaded): the Fortran-entry shim of ``c/blas.py`` runs the GEMM-stride and
convolution kernel tests against NumPy, in a fresh process so the choice does not depend on
test order."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _run(code: str, blas: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, FURCATE_BLAS=blas, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)


def test_gemm_and_conv_kernels_through_torch_mkl_match_numpy():
    code = f"""
import sys, torch, pytest
from furcate.backends.c.blas import find_blas
b = find_blas()
assert b is not None and b.name == "torch-mkl" and b.fortran, b
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "{HERE}/test_c_gemm_strides.py", "{HERE}/test_c_conv.py"]))
"""
    r = _run(code, "torch-mkl")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert " passed" in r.stdout and " failed" not in r.stdout, r.stdout[-2000:]


def test_the_host_gemm_probe_calls_the_fortran_entry_right():
    code = """
import torch, numpy as np
from furcate.backends.c.blas import find_blas
from furcate.backends.device_hooks import _CblasGemm
rng = np.random.default_rng(0)
for dt, np_dt in (("f32", np.float32), ("f64", np.float64)):
    a, b = (rng.standard_normal((48, 48)).astype(np_dt) for _ in range(2))
    c = np.empty_like(a)
    _CblasGemm(find_blas(), dt)(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4 if dt == "f32" else 1e-12, atol=1e-4 if dt == "f32" else 1e-12)
    assert not np.allclose(c, b @ a)  # the operand order really matters here
print("ok")
"""
    r = _run(code, "torch-mkl")
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]


def test_few_row_gemms_are_one_mkl_call_with_mkl_threads_and_match_numpy():
    """With torch's MKL a parallel GEMM of at most ``WHOLE_MAX_M`` rows is one BLAS call on
    MKL's threads (furcate's own OpenMP pool), its epilogue a loop after it; more rows
    keep furcate's tiles. f32 and f64, A and B transposed or not, a fused epilogue."""
    code = """
import numpy as np, torch
from furcate.backends.c import c_source
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
rng = np.random.default_rng(0)
for dt, np_dt, tol in (("f32", np.float32, 1e-4), ("f64", np.float64, 1e-10)):
    for m, whole in ((16, True), (1024, True), (1025, False)):
        for tb in (False, True):
            b = GraphBuilder()
            x = b.arg(TensorSpec((m, 1024), dt))
            w = b.arg(TensorSpec((256, 1024) if tb else (1024, 256), dt))
            bias = b.arg(TensorSpec((256,), dt))
            wt = b.op("transpose", w, permutation=[1, 0]) if tb else w
            g = b.op("dot_general", x, wt, lhs_batching_dimensions=[], lhs_contracting_dimensions=[1],
                     rhs_batching_dimensions=[], rhs_contracting_dimensions=[0])
            bb = b.op("broadcast_in_dim", bias, broadcast_dimensions=[1], shape=[m, 256])
            prog = b.finish([b.op("tanh", b.op("add", g, bb))])
            src = c_source(prog.clone())
            assert ("FC_BLAS_LOCAL_THREADS(omp_get_max_threads())" in src) == whole, (dt, m, tb)
            xs, ws, bs = (rng.standard_normal(s).astype(np_dt) for s in ((m, 1024), w.type.get_shape(), (256,)))
            (got,) = compile_program(prog, "c")(xs, ws, bs)
            want = np.tanh(xs.astype(np.float64) @ (ws.T if tb else ws).astype(np.float64) + bs)
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
print("ok")
"""
    r = _run(code, "torch-mkl")
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout[-2000:] + r.stderr[-3000:]
