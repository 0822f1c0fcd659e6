"""The kernel description is shared: the same fused pointwise and row-reduction
kernels rendered to Triton run under TRITON_INTERPRET=1 (in a subprocess: the
interpreter must be set before triton is imported) and match NumPy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import importlib.util, os, sys, tempfile
import numpy as np, torch
from furcate.backends.c.units import Units
from furcate.backends.triton.render import launch_grid, render
from tests.backends.test_c_fused import fuse_all, softmax_program
from tests.tolerance import assert_close
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder

def run(kernel, inputs, name):
    src = render(kernel, name)
    path = os.path.join(tempfile.mkdtemp(), name + ".py")
    open(path, "w").write(src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    outs = [np.empty(b.spec.shape, b.spec.np_dtype) for b in kernel.buffers if b.role == "out"]
    grid, block = launch_grid(kernel)
    getattr(mod, name)[grid](*[torch.from_numpy(a) for a in inputs + outs], BLOCK=block)
    return outs

rng = np.random.default_rng(0)
# pointwise: tanh(x * w + b) * 0.5 + x with per-column w, b (broadcast maps)
b = GraphBuilder()
x = b.arg(TensorSpec((37, 50), "f32")); w = b.arg(TensorSpec((50,), "f32")); c = b.arg(TensorSpec((50,), "f32"))
bw = b.op("broadcast_in_dim", w, broadcast_dimensions=[1], shape=[37, 50])
bc = b.op("broadcast_in_dim", c, broadcast_dimensions=[1], shape=[37, 50])
y = b.op("add", b.op("mul", b.op("tanh", b.op("add", b.op("mul", x, bw), bc)), b.full(0.5, TensorSpec((37, 50), "f32"))), x)
p = fuse_all(b.finish([y]), "pointwise")
(k,) = [u.kernel for u in Units(p).units]
xs = [rng.standard_normal(s.shape).astype(np.float32) for s in p.input_specs]
(got,) = run(k, xs, "pointwise_k")
X, W, C = xs
assert_close(got, np.tanh(X * W + C) * np.float32(0.5) + X)
# row reduction: softmax, one kernel
p = fuse_all(softmax_program(rows=13, cols=70), "reduction")
(k,) = [u.kernel for u in Units(p).units]
assert k.kind == "reduction"
X = rng.standard_normal((13, 70)).astype(np.float32)
(got,) = run(k, [X], "softmax_k")
e = np.exp(X - X.max(1, keepdims=True))
assert_close(got, e / e.sum(1, keepdims=True), accumulated=True)
print("ok")
'''


def test_triton_renders_the_same_description():
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
