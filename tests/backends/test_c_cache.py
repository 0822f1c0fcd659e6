"""The on-disk compile cache and the no-compiler fallback of the C backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from furcate.runtime.cache import DiskCache, key_digest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sys, numpy as np, furcate
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
b = GraphBuilder()
x = b.arg(TensorSpec((8, 8), "f32"))
y = b.op("tanh", b.op("mul", x, x))
exe = compile_program(b.finish([y]), "c")
(out,) = exe(np.full((8, 8), 0.5, np.float32))
assert abs(out[0, 0] - np.tanh(0.25)) < 1e-6, out[0, 0]
s = furcate.stats()
print(s["cache_hits"], s["cache_misses"], round(s["compile_time_s"].get("c:compile", 0.0), 6), exe.target)
"""


def _run(cache_dir, **env):
    e = dict(os.environ, FURCATE_CACHE_DIR=str(cache_dir), **env)
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=e, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    hits, misses, compile_s, target = r.stdout.split()
    return int(hits), int(misses), float(compile_s), target, r.stderr


def test_second_process_does_not_run_the_compiler(tmp_path):
    assert _run(tmp_path)[:2] == (0, 1)
    hits, misses, compile_s, target, _ = _run(tmp_path)
    assert (hits, misses, compile_s, target) == (1, 0, 0.0, "c")


def test_second_process_starts_no_compiler_process_at_all(tmp_path):
    """Not even ``cc --version``: the compiler's identity is remembered per binary."""
    log = tmp_path / "cc.log"
    wrapper = tmp_path / "cc"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec gcc "$@"\n')
    wrapper.chmod(0o755)
    cache = tmp_path / "cache"
    assert _run(cache, CC=str(wrapper))[:2] == (0, 1)
    first = log.read_text().splitlines()
    assert any("--version" in line for line in first) and len(first) >= 2  # probe + build
    assert _run(cache, CC=str(wrapper))[:2] == (1, 0)
    assert log.read_text().splitlines() == first  # the second process ran nothing


def test_corrupt_entry_is_detected_and_rebuilt(tmp_path):
    _run(tmp_path)
    (so,) = list((tmp_path / "c").glob("*.so"))
    data = so.read_bytes()
    so.write_bytes(data[: len(data) // 2])  # truncated
    hits, misses, compile_s, target, err = _run(tmp_path)
    assert (hits, misses, target) == (0, 1, "c") and compile_s > 0
    assert "corrupt" in err
    assert so.read_bytes() == data or len(so.read_bytes()) > len(data) // 2


def test_no_compiler_warns_and_uses_numpy(tmp_path):
    hits, misses, compile_s, target, err = _run(tmp_path, CC="/nonexistent/cc")
    assert target == "numpy"
    assert err.count("no working C compiler") == 1


def test_cache_store_is_atomic_and_keyed(tmp_path):
    c = DiskCache("t", root=tmp_path)
    k1, k2 = key_digest("src", "gcc 12", "-O3"), key_digest("src", "gcc 12", "-O2")
    assert k1 != k2
    calls = []

    def build(out):
        calls.append(out)
        out.write_bytes(b"artifact")

    p, hit = c.get_or_build(k1, ".bin", build)
    assert not hit and p.read_bytes() == b"artifact"
    p2, hit = c.get_or_build(k1, ".bin", build)
    assert hit and p2 == p and len(calls) == 1
    assert not list((tmp_path / "t").glob("*.tmp"))  # no temp files left behind
    p.write_bytes(b"artifacX")  # same length, wrong content
    assert c.lookup(k1, ".bin") is None and not p.exists()


def test_auto_target_picks_c():
    from furcate.compiler import resolve_target

    assert resolve_target("auto") == "c"
