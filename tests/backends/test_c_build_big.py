"""Big generated libraries build fast and give the same results (issue 18, compile time):
kernels split over parallel gcc processes, identical kernels rendered once, and many
transcendental calls in one kernel calling out-of-line SIMD clones instead of inlining."""

from __future__ import annotations

import numpy as np
import pytest

import furcate.backends.c.build as build
import furcate.backends.c.render as render
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.backends.c_helpers import check
from tests.tolerance import assert_close

SPEC = TensorSpec((8, 8), "f32")


def _layers(n: int, tag: str):
    """n copies of the same block (row max, subtract, a GEMM, tanh): n identical kernels of
    each kind, as repeated layers give. ``tag`` changes a constant so each test's source is
    new to the on-disk cache."""
    b = GraphBuilder(f"layers_{tag}")
    x, w = b.arg(SPEC, "x"), b.arg(SPEC, "w")
    v = x
    for _ in range(n):
        m = b.op("reduce", v, kind="max", dimensions=[1])
        s = b.op("sub", v, b.op("broadcast_in_dim", m, broadcast_dimensions=[0], shape=[8, 8]))
        g = b.op("dot_general", s, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                 lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
        v = b.op("tanh", b.op("mul", g, b.full(0.5 + len(tag) / 1000, SPEC)))
    return b.finish([v])


def _inputs():
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, (8, 8)).astype(np.float32) for _ in range(2)]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(build, "_LIBS", {})


def test_big_library_builds_in_parallel_parts_with_the_same_results(fresh_cache, monkeypatch):
    calls = []
    real = build._compile_parts

    def spy(cc, out, parts, jobs, name):
        calls.append((len(parts[1]), jobs))
        return real(cc, out, parts, jobs, name)

    monkeypatch.setattr(build, "_compile_parts", spy)
    monkeypatch.setattr(build, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(build, "PART_BYTES", 1)
    monkeypatch.setattr(build, "compile_jobs", lambda: 3)
    check(_layers(6, "parallel"), _inputs(), accumulated=True)
    assert calls and calls[0][1] == 3, calls  # three gcc processes for the kernels (plus the entry's)


def test_convolutions_with_helper_functions_build_in_parts(fresh_cache, monkeypatch):
    """An im2col convolution's kernel text starts with its static im2col helper: split into
    parts, the helper stays static beside it and the kernel still links."""
    from furcate.backends.c import render_conv

    monkeypatch.setattr(render_conv, "FORCE", "im2col")
    monkeypatch.setattr(build, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(build, "PART_BYTES", 1)
    monkeypatch.setattr(build, "compile_jobs", lambda: 2)
    b = GraphBuilder("convs_im2col")
    x = b.arg(TensorSpec((2, 8, 6, 6), "f32"))
    ws = [b.arg(TensorSpec((16, 8, 3, 3), "f32")), b.arg(TensorSpec((8, 16, 3, 3), "f32"))]
    y = x
    for w in ws:  # two different kernels
        y = b.op("tanh", b.op("convolution", y, w, window_strides=[1, 1], padding=[1, 1, 1, 1],
                              lhs_dilation=[1, 1], rhs_dilation=[1, 1], feature_group_count=1))
    rng = np.random.default_rng(1)
    shapes = ((2, 8, 6, 6), (16, 8, 3, 3), (8, 16, 3, 3))
    check(b.finish([y]), [rng.standard_normal(s).astype(np.float32) for s in shapes], accumulated=True)


def test_a_failing_part_names_the_compiler_error(fresh_cache, monkeypatch):
    monkeypatch.setattr(build, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(build, "PART_BYTES", 1)
    monkeypatch.setattr(build, "compile_jobs", lambda: 2)
    bad = ("", [("fc_x_k0", "static void fc_x_k0(float *b0) { b0[0] = undefined_name; }\n", False),
                ("fc_x_k1", "static void fc_x_k1(float *b0) { b0[0] = 1.0f; }\n", True)],
           "void fc_x(void **p) { fc_x_k0(p[0]); fc_x_k1(p[0]); }\n")
    source = "\n".join([bad[0], *(t for _, t, _ in bad[1]), bad[2]])
    with pytest.raises(Exception, match="undefined_name"):
        build.build_library(source, "fc_x", bad)


def test_small_kernels_compile_at_O1_in_parts_of_their_own(fresh_cache, monkeypatch):
    """In a split library, kernels of little work (8x8 pointwise and row reductions) are
    compiled at -O1, the GEMM kernels at -O3, never in the same part; results unchanged."""
    import subprocess

    runs = []
    real = subprocess.Popen

    def spy(args, *a, **kw):
        if "-c" in args:
            src = args[args.index("-c") + 1]
            runs.append(("-O1" in args, "-O3" in args, open(src).read()))
        return real(args, *a, **kw)

    monkeypatch.setattr(build.subprocess, "Popen", spy)
    monkeypatch.setattr(build, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(build, "PART_BYTES", 1)
    monkeypatch.setattr(build, "compile_jobs", lambda: 2)
    check(_layers(4, "small"), _inputs(), accumulated=True)
    kernel_parts = runs[:-1]  # the last unit is the entry code
    o1 = [text for is_o1, _, text in kernel_parts if is_o1]
    o3 = [text for _, is_o3, text in kernel_parts if is_o3]
    assert o1 and o3, runs
    assert all("FC_SGEMM(" not in t for t in o1)
    assert all("FC_SGEMM(" in t for t in o3)


def test_chunks_never_mix_small_and_big_kernels():
    ks = [(f"k{i}", "x" * 100, i % 3 == 0) for i in range(12)]
    chunks = build._chunks(ks, 2)
    assert sorted(n for _, c in chunks for n, _ in c) == sorted(n for n, _, _ in ks)
    for small, c in chunks:
        assert all(dict((n, s) for n, _, s in ks)[n] is small for n, _ in c)
    assert len(chunks) <= 4


def _spy_builds(monkeypatch) -> list:
    from furcate.backends.c import segment

    seen = []
    real = segment.build_library

    def spy(source, name="kernel", parts=None):
        seen.append((source, parts))
        return real(source, name, parts)

    monkeypatch.setattr(segment, "build_library", spy)
    return seen


def test_identical_kernels_are_rendered_once(monkeypatch):
    builds = _spy_builds(monkeypatch)
    check(_layers(5, "dedup"), _inputs(), accumulated=True)
    defined = sum(len(parts[1]) for _, parts in builds)
    called = sum(parts[2].count("_k") for _, parts in builds)  # kernel calls in the entry functions
    assert called >= 10 and defined <= called // 2, (defined, called)


def _tanh_chain(n: int):
    b = GraphBuilder(f"tanh_chain_{n}")
    spec = TensorSpec((1000,), "f32")
    x, a = b.arg(spec, "x"), b.arg(spec, "a")
    v = x
    for _ in range(n):
        v = b.op("mul", b.op("tanh", v), a)
    return b.finish([v])


@pytest.mark.parametrize("n, out_of_line", [(4, False), (render.OUT_OF_LINE_CALLS + 1, True)])
def test_many_expensive_calls_use_out_of_line_clones_with_identical_results(n, out_of_line, monkeypatch):
    builds = _spy_builds(monkeypatch)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(1000).astype(np.float32) * 3
    x[:4] = [np.nan, np.inf, -np.inf, -0.0]
    a = rng.uniform(0.9, 1.5, 1000).astype(np.float32)
    (got,) = compile_program(_tanh_chain(n), "c", {"name": f"ool{n}"})(x, a)
    assert ("fc_tanhf_ool(" in builds[-1][0]) == out_of_line
    monkeypatch.setattr(render, "OUT_OF_LINE_CALLS", 10**9 if out_of_line else 0)  # the other way
    (other,) = compile_program(_tanh_chain(n), "c", {"name": f"ool{n}b"})(x, a)
    assert ("fc_tanhf_ool(" in builds[-1][0]) != out_of_line
    np.testing.assert_array_equal(got, other)  # same code, called or inlined: same bits
    want = x.astype(np.float64)
    for _ in range(n):
        want = np.tanh(want) * a
    assert_close(got, want.astype(np.float32), accumulated=True)
