"""Compiled callables called from several threads at once give every thread its own,
correct results; two processes compiling the same graph at once share the on-disk cache
without torn files."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from furcate.backends import BackendUnavailable, get_backend
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

ROOT = Path(__file__).resolve().parent.parent
N_THREADS, N_CALLS = 6, 15


def mlp_program():
    """x @ w + b -> tanh -> row softmax-ish normalisation: a gemm, a pointwise and a reduction group,
    with an intermediate used by two groups."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((16, 32), "f32"))
    w = b.arg(TensorSpec((32, 24), "f32"))
    bias = b.arg(TensorSpec((24,), "f32"))
    h = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    h = b.op("tanh", b.op("add", h, b.op("broadcast_in_dim", bias, broadcast_dimensions=[1], shape=[16, 24])))
    e = b.op("exp", h)
    s = b.op("reduce", e, kind="sum", dimensions=[1])
    y = b.op("div", e, b.op("broadcast_in_dim", s, broadcast_dimensions=[0], shape=[16, 24]))
    return b.finish([y, h])


def reference(x, w, bias):
    h = np.tanh(x @ w + bias)
    e = np.exp(h)
    return [e / e.sum(axis=1, keepdims=True), h]


def _inputs(seed: int):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in ((16, 32), (32, 24), (24,))]


def run_threads(fn, n_threads: int = N_THREADS) -> None:
    """Run ``fn(thread_index)`` on ``n_threads`` threads started together; re-raise the first error."""
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def body(i):
        try:
            barrier.wait()
            fn(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("target", ["numpy", "c", "xla"])
def test_executable_from_many_threads(target):
    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")
    exe = compile_program(mlp_program(), target)
    cases = [_inputs(i) for i in range(N_THREADS)]
    expected = [reference(*c) for c in cases]

    def work(i):
        held = []
        for k in range(N_CALLS):
            outs = exe(*cases[i])
            held.append(outs)  # hold results while others run: no call may overwrite them
            for a, e in zip(outs, expected[i]):
                assert_close(a, e, accumulated=True, msg=f"thread {i} call {k}")
        for outs in held:
            for a, e in zip(outs, expected[i]):
                assert_close(a, e, accumulated=True, msg=f"thread {i}: a held result changed")

    run_threads(work)


def test_torch_compiled_module_from_many_threads():
    torch = pytest.importorskip("torch")
    pytest.importorskip("furcate.frontend.torch_backend")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(32, 24), torch.nn.Tanh(), torch.nn.Linear(24, 8)).eval()
    compiled = torch.compile(model, backend="furcate", options={"target": "numpy"})
    xs = [torch.randn(16, 32, generator=torch.Generator().manual_seed(i)) for i in range(N_THREADS)]
    with torch.no_grad():
        expected = [model(x) for x in xs]
        compiled(xs[0])  # compile once before the threads start

    def work(i):
        with torch.no_grad():
            for _ in range(N_CALLS):
                assert_close(compiled(xs[i]), expected[i], accumulated=True, msg=f"thread {i}")

    run_threads(work)


COMPILE_SCRIPT = r"""
import sys, time, numpy as np, furcate
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
start = float(sys.argv[1])
b = GraphBuilder()
x = b.arg(TensorSpec((8, 40), "f32"))
y = b.op("tanh", b.op("mul", x, b.op("sin", x)))
s = b.op("reduce", y, kind="sum", dimensions=[1])
prog = b.finish([s, y])
while time.time() < start:  # both processes start compiling at the same moment
    time.sleep(0.001)
exe = compile_program(prog, "c")
x = np.linspace(-3, 3, 320, dtype=np.float32).reshape(8, 40)
s, y = exe(x)
ref = np.tanh(x * np.sin(x))
assert np.allclose(y, ref, rtol=1e-5, atol=1e-6) and np.allclose(s, ref.sum(1), rtol=1e-4, atol=1e-5)
st = furcate.stats()
print(exe.target, st["cache_hits"], st["cache_misses"])
"""


def test_two_processes_compile_the_same_graph_at_once(tmp_path):
    """Both processes compile (a miss each, or a hit for the slower one), both get correct
    results, and the cache holds only complete, verified entries: no temp files left behind."""
    try:
        get_backend("c")
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"the c backend is not available: {e}")
    import time

    from furcate.runtime.cache import DiskCache

    env = dict(os.environ, FURCATE_CACHE_DIR=str(tmp_path))
    start = f"{time.time() + 4.0:.3f}"  # after both interpreters have imported furcate
    procs = [subprocess.Popen([sys.executable, "-c", COMPILE_SCRIPT, start], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err[-3000:]
        target, hits, misses = out.split()
        assert target == "c" and int(hits) + int(misses) >= 1, out
        assert "corrupt" not in err, err  # no process saw the other's half-written entry
    entries = sorted((tmp_path / "c").glob("*.so"))
    assert entries, "nothing was cached"
    leftovers = [p.name for p in (tmp_path / "c").iterdir() if p.suffix not in (".so", ".sha256")]
    assert leftovers == [], f"temporary files left in the cache: {leftovers}"
    cache = DiskCache("c", root=tmp_path)
    for so in entries:
        assert cache.lookup(so.stem, ".so") == so, f"{so.name} does not match its digest"
