"""Triton backend, compile: every kernel furcate generates for the end-to-end models is
compiled for an H100/H200 (``GPUTarget("cuda", 90, 32)``) down to PTX and cubin.

The compile runs in a subprocess without TRITON_INTERPRET (a kernel the interpreter
has run no longer compiles for a GPU in the same process), so this file can share a
pytest process with the interpreter tests. GEMMs are compiled with their heuristic
tile and with every tile of the autotuning set; row reductions in both forms.
"""

from __future__ import annotations

import importlib.util

import pytest

if importlib.util.find_spec("triton") is None:  # not imported here: this process may run the interpreter
    pytest.skip("triton is not installed", allow_module_level=True)

from furcate.backends.triton.build import KUnit, Units, render_kernel  # noqa: E402
from furcate.backends.triton.codegen import module_source  # noqa: E402
from furcate.backends.triton.gpu_compile import compile_in_subprocess, entry  # noqa: E402
from furcate.backends.triton.launch import gemm_candidates, heuristic  # noqa: E402
from furcate.compiler import run_pipeline  # noqa: E402
from furcate.backends.triton import TritonBackend  # noqa: E402
from tests.backends import triton_models as tm  # noqa: E402

# end-to-end models at sizes where tiles are full and ragged, in the dtypes GPUs run
CASES = [
    ("mlp", dict(batch=64, d=256, hidden=1024)),
    ("mlp", dict(batch=48, d=96, hidden=200, dtype="bf16")),
    ("attention", dict(batch=2, seq=128, d=256, heads=4)),
    ("softmax", dict(rows=64, cols=10000)),  # looped on a GPU
    ("log_softmax", dict(rows=32, cols=1000, dtype="f16")),
    ("layernorm", dict(rows=128, cols=1024)),
    ("elementwise", dict(rows=256, cols=200)),
    ("batched_matmul", dict(batch=4, m=100, n=72, k=300, dtype="f16")),
]


def generated_kernels():
    """(label, kernel, rendered, config) for every kernel of every case, GPU renderings; the
    first f32 GEMM also with every tile of its autotuning set."""
    out = []
    seen = set()
    tuned = set()
    caps = TritonBackend().capabilities()
    for name, kw in CASES:
        p, _ = tm.MODELS[name](**kw)
        run_pipeline(p, capabilities=caps)
        units = Units(p, interpret=False, prefix=f"{name}_k")
        for u in units.units:
            if not isinstance(u, KUnit):
                continue
            r = u.rendered
            key = r.source.replace(r.name, "K")
            if key in seen:
                continue
            seen.add(key)
            out.append((f"{name}:{r.name}", u.kernel, r, heuristic(r.kind, r.space, interpret=False)))
            if r.kind == "gemm" and r.space["dtype"] == "f32" and not tuned:
                tuned.add(r.space["dtype"])
                for c in gemm_candidates(r.space):
                    out.append((f"{name}:{r.name}:{c.kwargs()}", u.kernel, r, c))
            if r.kind == "reduction":  # the other form as well
                k2, r2 = render_kernel(u.kernel, r.name, interpret=False, looped=not r.space["looped"])
                out.append((f"{name}:{r.name}:looped={r2.space['looped']}", k2, r2,
                            heuristic(r2.kind, r2.space, interpret=False)))
    return out


def test_every_generated_kernel_compiles_for_sm90(tmp_path):
    kernels = generated_kernels()
    kinds = {r.kind for _, _, r, _ in kernels}
    assert kinds == {"pointwise", "reduction", "gemm"}
    assert any(r.kind == "reduction" and r.space["looped"] for _, _, r, _ in kernels)
    entries = []
    for i, (label, k, r, cfg) in enumerate(kernels):
        path = tmp_path / f"k{i}.py"
        path.write_text(module_source([r.source]))
        entries.append(entry(str(path), r, k.buffers, cfg, str(tmp_path / f"k{i}")))
    results = compile_in_subprocess(entries, arch=90, jobs=2)
    failed = [(label, res["error"]) for (label, *_), res in zip(kernels, results) if not res["ok"]]
    assert not failed, "\n\n".join(f"{label}: {err}" for label, err in failed)
    for (label, *_), res in zip(kernels, results):
        assert res["ptx"] > 0 and res["cubin"] > 0, label
    ptx = (tmp_path / "k0.ptx").read_text()
    assert ".target sm_90" in ptx


def test_no_gpu_and_no_interpreter_is_backend_unavailable():
    """Without a GPU and without TRITON_INTERPRET=1 the backend refuses, saying what to set."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env["CUDA_VISIBLE_DEVICES"] = ""
    code = ("from furcate.backends.triton import runtime\n"
            "try:\n    runtime.mode()\nexcept Exception as e:\n    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.startswith("BackendUnavailable"), out.stdout + out.stderr
    assert "TRITON_INTERPRET=1" in out.stdout


def _extra_programs():
    """One-op programs beyond the models: pow (f32, f64, i32, i8) and atan2 (f32, bf16), the f64
    math helpers; dot_generals whose result drops M and/or N (unit GEMM tiles, widened stores)."""
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder

    out = []
    for op, dt in [("pow", "f32"), ("pow", "f64"), ("pow", "i32"), ("pow", "i8"), ("atan2", "f32"),
                   ("atan2", "bf16")]:
        b = GraphBuilder()
        x, y = b.arg(TensorSpec((64, 100), dt)), b.arg(TensorSpec((64, 100), dt))
        out.append((f"{op}_{dt}", b.finish([b.op(op, x, y)])))
    for label, (ls, rs), (lb, lc, rb, rc) in [("bdot_rank1", ((2, 3), (2, 3)), ([1], [0], [1], [0])),
                                              ("vecmat", ((64,), (64, 80)), ([], [0], [], [0])),
                                              ("bmatvec", ((3, 40, 64), (3, 64)), ([0], [2], [0], [1]))]:
        b = GraphBuilder()
        x, y = b.arg(TensorSpec(ls, "f32")), b.arg(TensorSpec(rs, "f32"))
        out.append((label, b.finish([b.op("dot_general", x, y, lhs_batching_dimensions=lb,
                                          lhs_contracting_dimensions=lc, rhs_batching_dimensions=rb,
                                          rhs_contracting_dimensions=rc)])))
    return out


def test_extra_kernels_compile_for_sm90(tmp_path):
    caps = TritonBackend().capabilities()
    entries, labels = [], []
    for label, p in _extra_programs():
        run_pipeline(p, capabilities=caps)
        (u,) = [u for u in Units(p, interpret=False, prefix=f"{label}_k").units if isinstance(u, KUnit)]
        path = tmp_path / f"{label}.py"
        path.write_text(module_source([u.rendered.source]))
        entries.append(entry(str(path), u.rendered, u.kernel.buffers,
                             heuristic(u.rendered.kind, u.rendered.space, interpret=False), ""))
        labels.append(label)
    results = compile_in_subprocess(entries, arch=90, jobs=2)
    failed = [(label, r["error"]) for label, r in zip(labels, results) if not r["ok"]]
    assert not failed, "\n\n".join(f"{label}: {err}" for label, err in failed)


# Every tl.* name the generators emit, checked against Triton 3.6 and 3.9 (docs/triton.md,
# "Triton versions"). A new name must be checked there first, then added here.
TRITON_API = {
    "tl.abs", "tl.arange", "tl.bfloat16", "tl.cdiv", "tl.ceil", "tl.constexpr", "tl.cos", "tl.div_rn", "tl.dot",
    "tl.erf", "tl.exp", "tl.exp2", "tl.float16", "tl.float32", "tl.float64", "tl.floor", "tl.full", "tl.int1",
    "tl.int32", "tl.int64", "tl.int8", "tl.load", "tl.log", "tl.log2", "tl.max", "tl.maximum", "tl.min",
    "tl.minimum", "tl.program_id", "tl.PropagateNan.ALL", "tl.reduce", "tl.sigmoid", "tl.sin", "tl.sqrt",
    "tl.sqrt_rn", "tl.static_range", "tl.store", "tl.sum", "tl.uint8", "tl.where", "tl.zeros",
}


def test_generated_code_uses_only_checked_triton_apis():
    import re

    from furcate.backends.triton.body import HELPERS

    sources = [HELPERS] + [r.source for _, _, r, _ in generated_kernels()]
    caps = TritonBackend().capabilities()
    for label, p in _extra_programs():
        run_pipeline(p, capabilities=caps)
        sources += [u.rendered.source for u in Units(p, interpret=False, prefix="k").units if isinstance(u, KUnit)]
    used = set()
    for src in sources:
        used |= set(re.findall(r"\btl\.[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Z][A-Za-z_]*)?", src))
        assert "libdevice" not in src and "tl.math." not in src
        for call in re.findall(r"tl\.dot\(([^)]*)\)", src):
            assert re.fullmatch(r"a, b, acc(, input_precision=\"(ieee|tf32)\")?", call), call
    assert used <= TRITON_API, sorted(used - TRITON_API)
    assert {"tl.dot", "tl.reduce", "tl.static_range", "tl.exp2"} <= used
