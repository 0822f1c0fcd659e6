"""Triton backend, run: every kernel kind under TRITON_INTERPRET=1 on small shapes,
compared with the NumPy backend (tests/tolerance.py).

TRITON_INTERPRET must be set before Triton compiles a kernel; this module sets it
(the GPU-compile tests run in a subprocess of their own, test_triton_compile.py).
"""

from __future__ import annotations

import os

os.environ["TRITON_INTERPRET"] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("triton")
pytest.importorskip("torch")

from furcate.backends.base import Capabilities  # noqa: E402
from furcate.backends.kernel.lower import lower_group  # noqa: E402
from furcate.backends.triton import TritonBackend  # noqa: E402
from furcate.backends.triton.build import render_kernel  # noqa: E402
from furcate.backends.triton.codegen import module_source  # noqa: E402
from furcate.backends.triton.launch import Config  # noqa: E402
from furcate.backends.triton.runtime import Launcher  # noqa: E402
from furcate.compiler import compile_program, run_pipeline  # noqa: E402
from furcate.diagnostics import stats  # noqa: E402
from furcate.dtypes import TensorSpec  # noqa: E402
from furcate.ir import dialect as d  # noqa: E402
from furcate.ir.builder import GraphBuilder  # noqa: E402
from tests.backends import triton_models as tm  # noqa: E402
from tests.tolerance import assert_close  # noqa: E402


def run_both(builder, accumulated=True, **kw):
    p, args = builder(**kw)
    pn, _ = builder(**kw)
    exe = compile_program(p, "triton", {})
    assert any(s.target == "triton" for s in exe.steps), exe.describe()
    got = exe(*args)
    ref = compile_program(pn, "numpy", {})(*args)
    for g, r in zip(got, ref):
        assert_close(g, r, accumulated=accumulated)
    return exe


def kernel_steps(exe):
    return [s.name.split("]")[0].split("[")[1] for s in exe.steps if s.target == "triton" and "[" in s.name]


@pytest.mark.parametrize("name", sorted(tm.MODELS))
def test_models_match_numpy(name):
    exe = run_both(tm.MODELS[name])
    assert kernel_steps(exe), exe.describe()


def test_one_kernel_each():
    """softmax, log_softmax and layernorm are one reduction kernel each; the chain is one pointwise."""
    for builder, kind in [(tm.softmax_model, "reduction"), (tm.layernorm_model, "reduction"),
                          (lambda: tm.softmax_model(log=True), "reduction"), (tm.elementwise_model, "pointwise"),
                          (tm.batched_matmul_model, "gemm")]:
        exe = run_both(builder)
        assert kernel_steps(exe) == [kind], exe.describe()


@pytest.mark.parametrize("dtype", ["f16", "bf16", "f64"])
def test_low_and_double_precision(dtype):
    run_both(tm.softmax_model, dtype=dtype)
    run_both(tm.layernorm_model, dtype=dtype)
    run_both(tm.elementwise_model, dtype=dtype, accumulated=False)
    run_both(tm.batched_matmul_model, dtype=dtype)


# --------------------------------------------------------------------------
# forms and tiles chosen explicitly: looped reductions, multi-step K loops, ragged tiles


def fused_kernels(program):
    caps = Capabilities("triton", "cuda", fusion_kinds=frozenset({"pointwise", "reduction", "gemm"}))
    run_pipeline(program, capabilities=caps)
    out = []
    for op in program.func.body.block.ops:
        if isinstance(op, d.FusionOp):
            blk = op.body.block
            body = [o for o in blk.ops if not isinstance(o, d.YieldOp)]
            out.append(lower_group(body, list(blk.args), list(blk.last_op.operands), f"t{len(out)}"))
    return out


def launch_one(builder, cfg, looped=None, **kw):
    p, args = builder(**kw)
    pn, _ = builder(**kw)
    (k,) = fused_kernels(p)
    k, r = render_kernel(k, "fc_test", interpret=True, looped=looped)
    call = Launcher(r, module_source([r.source]), k.buffers, k.const_data, config=cfg)
    got = call(*args)
    ref = compile_program(pn, "numpy", {})(*args)
    for g, e in zip(got, ref):
        assert_close(g, e, accumulated=True)
    return r


@pytest.mark.parametrize("builder", [tm.softmax_model, tm.layernorm_model, lambda **kw: tm.softmax_model(log=True, **kw)])
@pytest.mark.parametrize("looped", [False, True])
def test_reduction_forms(builder, looped):
    """Persistent (row in one block) and looped (3 column blocks, ragged last) forms; 4 rows
    per program with a ragged last program."""
    cfg = Config((("BM", 4), ("RB", 64 if not looped else 16)))
    r = launch_one(builder, cfg, looped=looped, rows=10, cols=40)
    assert ("for c0 in range" in r.source) == looped


def test_gemm_k_loop_ragged_tiles():
    cfg = Config((("BM", 16), ("BN", 16), ("BK", 16), ("GROUP_M", 2)))
    r = launch_one(tm.batched_matmul_model, cfg, batch=2, m=37, n=21, k=40)
    assert 'input_precision="ieee"' in r.source


def test_gemm_tf32_only_when_asked():
    b = GraphBuilder()
    x = b.arg(TensorSpec((16, 32), "f32"))
    w = b.arg(TensorSpec((32, 16), "f32"))
    (k,) = fused_kernels(b.finish([tm.matmul(b, x, w, precision="tf32")]))
    from furcate.backends.triton.gemm import render_gemm

    assert 'input_precision="tf32"' in render_gemm(k, "g", tf32=True).source


def test_gemm_epilogue_mlp_ln_gelu():
    exe = run_both(tm.mlp_model, batch=12, d=24, hidden=40)
    assert kernel_steps(exe) == ["reduction", "gemm", "gemm"], exe.describe()


# --------------------------------------------------------------------------
# scalar semantics: special values through every primitive

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-30, 0.5, -0.5, 1.5, 2.5, -2.5,
                    0.49999997, 1e-6, -3e-4, 0.3, -0.7, 3.0, -20.0, 90.0, 1e10, -1e10, 7.25, 1e38], np.float32)
UNARY = ["neg", "abs", "exp", "expm1", "log", "log1p", "tanh", "sqrt", "rsqrt", "logistic", "erf", "sin", "cos",
         "floor", "ceil", "round_nearest_even", "round_nearest_afz", "sign", "is_finite"]


def one_op(opname, arrays, **props):
    def builder():
        b = GraphBuilder()
        xs = [b.arg(TensorSpec(a.shape, _dt(a))) for a in arrays]
        return b.finish([b.op(opname, *xs, **props)]), arrays
    return builder


def _dt(a):
    import ml_dtypes

    return {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64", np.dtype(np.int32): "i32",
            np.dtype(np.int8): "i8", np.dtype(np.int64): "i64", np.dtype(np.bool_): "i1",
            np.dtype(np.float16): "f16", np.dtype(ml_dtypes.bfloat16): "bf16"}[a.dtype]


@pytest.mark.parametrize("op", UNARY)
def test_unary_special_values(op):
    x = SPECIAL if op not in ("sin", "cos") else SPECIAL[np.abs(SPECIAL) < 100]
    run_both(one_op(op, [x]), accumulated=False)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rem", "max", "min"])
def test_binary_special_values(op):
    x = np.repeat(SPECIAL, len(SPECIAL))
    y = np.tile(SPECIAL, len(SPECIAL))
    run_both(one_op(op, [x, y]), accumulated=False)


@pytest.mark.parametrize("op", ["div", "rem", "add", "mul", "max", "min"])
@pytest.mark.parametrize("dt", [np.int32, np.int8])
def test_integer_ops_never_trap(op, dt):
    info = np.iinfo(dt)
    vals = np.array([0, 1, -1, 7, -7, 3, info.min, info.max, 2], dt)
    run_both(one_op(op, [np.repeat(vals, len(vals)), np.tile(vals, len(vals))]), accumulated=False)


@pytest.mark.parametrize("dst", ["i32", "i8", "i64", "i1", "f16", "bf16", "f64"])
def test_convert_saturates_and_rounds(dst):
    x = np.concatenate([SPECIAL, np.array([3e9, -3e9, 2147483520.0, 127.9, -128.9, 65520.0, 1.00048828125],
                                          np.float32)])
    run_both(one_op("convert", [x], dtype=dst), accumulated=False)


def test_compare_select_nan():
    x = np.repeat(SPECIAL[:8], 8)
    y = np.tile(SPECIAL[:8], 8)

    def builder():
        b = GraphBuilder()
        a, c = b.arg(TensorSpec(x.shape, "f32")), b.arg(TensorSpec(y.shape, "f32"))
        outs = [b.op("compare", a, c, comparison_direction=cd) for cd in ("EQ", "NE", "LT", "GE")]
        outs.append(b.op("select", outs[2], a, c))
        return b.finish(outs), [x, y]
    run_both(builder, accumulated=False)


@pytest.mark.parametrize("kind", ["sum", "max", "min", "prod"])
def test_reduce_kinds_with_nan_over_leading_dim(kind):
    x = tm.rand((9, 6), "f32", 3)
    x[2, 4] = np.nan
    run_both(one_op("reduce", [x], kind=kind, dimensions=[0]))


def test_reduce_bool_and_int():
    m = np.random.default_rng(0).random((5, 7)) > 0.3
    run_both(one_op("reduce", [m], kind="and", dimensions=[1]))
    run_both(one_op("reduce", [m], kind="or", dimensions=[1]))
    ints = np.random.default_rng(1).integers(-100, 100, (5, 7)).astype(np.int8)
    run_both(one_op("reduce", [ints], kind="sum", dimensions=[1]))


def test_iota_and_constants():
    def builder():
        b = GraphBuilder()
        x = b.arg(TensorSpec((6, 5), "f32"))
        i = b.op("convert", b.op("iota", spec=TensorSpec((6, 5), "i32"), iota_dimension=1), dtype="f32")
        c = b.constant(np.arange(30, dtype=np.float32).reshape(6, 5) * 0.25)
        neg_inf = b.full(-np.inf, TensorSpec((6, 5), "f32"))
        y = b.op("max", b.op("add", b.op("mul", x, i), c), neg_inf)
        return b.finish([y]), [tm.rand((6, 5))]
    run_both(builder, accumulated=False)


# --------------------------------------------------------------------------
# what the backend cannot run goes to numpy, and says so


def test_gather_runs_on_numpy_and_is_reported():
    def builder():
        b = GraphBuilder()
        table = b.arg(TensorSpec((10, 4), "f32"))
        idx = b.arg(TensorSpec((6,), "i32"))
        g = b.op("gather", table, idx, axis=0)
        y = b.op("exp", g)
        return b.finish([y]), [tm.rand((10, 4)), np.array([0, 9, 3, 3, 1, 5], np.int32)]
    stats(reset=True)
    exe = run_both(builder, accumulated=False)
    assert [s.target for s in exe.steps] == ["numpy", "triton"], exe.describe()
    assert any("furcate.gather runs on numpy" in f for f in stats()["backend_fallbacks"])


def test_capabilities_and_registry():
    from furcate.backends import get_backend

    be = get_backend("triton")
    assert isinstance(be, TritonBackend)
    caps = be.capabilities()
    assert {"pointwise", "reduction", "gemm"} <= caps.fusion_kinds
    assert "gather" not in caps.ops and "dot_general" in caps.ops


def test_dump_dir_writes_kernel_sources_into_the_graph_dump(tmp_path, monkeypatch):
    """Kernel modules, GPU renderings and PTX go into the graph's own dump directory (beside
    its IR), through the compile's Dumper; no separate ``*_triton`` directory."""
    import furcate.backends.triton.gpu_compile as gc

    seen = []

    def fake_compile(entries, arch=90, timeout=600):
        seen.extend(entries)
        return [{"ok": True, "ptx": 1, "cubin": 1, "ptx_text": f"// ptx of {e['fn']}\n.target sm_{arch}\n"}
                for e in entries]

    monkeypatch.setattr(gc, "compile_in_subprocess", fake_compile)
    p, args = tm.softmax_model()
    compile_program(p, "triton", {"dump_dir": str(tmp_path), "name": "sm"})
    (d_,) = list(tmp_path.iterdir())
    assert not d_.name.endswith("_triton")
    names = {x.name for x in d_.iterdir()}
    assert {"fc_sm_k0.py", "fc_sm_k0.gpu.py", "fc_sm_k0.ptx", "00_input.mlir", "executable.txt"} <= names, names
    assert "@triton.jit" in (d_ / "fc_sm_k0.py").read_text()
    assert (d_ / "fc_sm_k0.ptx").read_text() == "// ptx of fc_sm_k0\n.target sm_90\n"
    assert [e["path"] for e in seen] == [str(d_ / "fc_sm_k0.gpu.py")]


def test_backend_called_directly_with_dump_dir_opens_its_own(tmp_path, monkeypatch):
    import furcate.backends.triton.gpu_compile as gc
    from furcate.compiler import run_pipeline

    monkeypatch.setattr(gc, "compile_in_subprocess", lambda entries, arch=90, timeout=600: [
        {"ok": False, "error": "no ptx here"}] * len(entries))
    p, _ = tm.softmax_model()
    be = TritonBackend()
    run_pipeline(p, capabilities=be.capabilities())
    be.compile(p, {"dump_dir": str(tmp_path), "name": "solo"})
    (d_,) = list(tmp_path.iterdir())
    assert d_.name.endswith("solo_triton")
    assert {x.name for x in d_.iterdir()} == {"fc_solo_k0.py", "fc_solo_k0.gpu.py"}


def test_torch_compile_target_triton():
    """torch.compile(backend="furcate", options={"target": "triton"}): gelu(x @ W + b) is one gemm kernel."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    import furcate  # noqa: F401

    def f(x, w, b):
        return F.gelu(x @ w + b)

    args = [torch.randn(20, 24), torch.randn(24, 40), torch.randn(40)]
    stats(reset=True)
    got = torch.compile(f, backend="furcate", options={"target": "triton"})(*args)
    # eager's sign of gelu's underflowed tail depends on the CPU's vector path (docs/torch.md)
    assert_close(got, f(*args), accumulated=True, signed_zeros=False)
    assert stats()["kernels"] == {"triton": 1}


# --------------------------------------------------------------------------
# pow and atan2: f64 helpers, C's special cases

POW_EDGE = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1.5, -2.5,
                     1e-40, -1e-30, 10.0, 1e10, -1e10, 1e38, 7.25, 100.0, -127.0], np.float32)


@pytest.mark.parametrize("op", ["pow", "atan2"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_pow_atan2_edge_values_match_numpy(op, dtype):
    with np.errstate(over="ignore"):
        vals = POW_EDGE.astype(dtype)
    x = np.repeat(vals, len(vals))
    y = np.tile(vals, len(vals))
    stats(reset=True)
    exe = run_both(one_op(op, [x, y]), accumulated=False)
    assert [s.target for s in exe.steps] == ["triton"], exe.describe()
    assert stats()["backend_fallbacks"] == []


def test_pow_atan2_random_values_and_bf16():
    rng = np.random.default_rng(4)
    x = rng.uniform(-4, 4, 512).astype(np.float32)
    y = rng.uniform(-6, 6, 512).astype(np.float32)
    y[::3] = np.round(y[::3])  # negative bases with integer exponents
    run_both(one_op("pow", [np.abs(x) + 0.01, y]), accumulated=False)
    run_both(one_op("pow", [x, y]), accumulated=False)
    run_both(one_op("atan2", [x, y]), accumulated=False)
    import ml_dtypes

    run_both(one_op("atan2", [x.astype(ml_dtypes.bfloat16), y.astype(ml_dtypes.bfloat16)]), accumulated=False)


@pytest.mark.parametrize("dt", [np.int32, np.int8, np.int64])
def test_integer_pow_wraps_and_negative_exponents(dt):
    info = np.iinfo(dt)
    base = np.array([0, 1, -1, 2, -2, 3, -3, 7, info.max, info.min], dt)
    exp = np.array([0, 1, 2, 3, 5, 31, 63, -1, -2, -3], dt)
    exe = run_both(one_op("pow", [np.repeat(base, len(exp)), np.tile(exp, len(base))]), accumulated=False)
    assert [s.target for s in exe.steps] == ["triton"], exe.describe()


# --------------------------------------------------------------------------
# end-to-end models: causal attention from torch.compile, MLP + attention from furcate.jit


def test_torch_compile_causal_attention_on_triton():
    torch = pytest.importorskip("torch")
    import furcate  # noqa: F401

    class CausalAttention(torch.nn.Module):
        def __init__(self, d=8, heads=2, seq=5):
            super().__init__()
            self.attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
            self.register_buffer("mask", torch.nn.Transformer.generate_square_subsequent_mask(seq))

        def forward(self, x):
            return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]

    torch._dynamo.reset()
    torch.manual_seed(0)
    m, x = CausalAttention().eval(), torch.randn(2, 5, 8)
    stats(reset=True)
    with torch.no_grad():
        got = torch.compile(m, backend="furcate", options={"target": "triton"})(x)
        assert_close(got, m(x), accumulated=True)
    st = stats(reset=True)
    torch._dynamo.reset()
    assert st["ops_eager"] == {} and st["eager_fallbacks"] == [] and st["backend_fallbacks"] == [], st
    assert set(st["kernels"]) == {"triton"}, st["kernels"]


def test_jax_jit_mlp_and_causal_attention_on_triton():
    """furcate.jit(fn, target="triton"): LayerNorm + GELU MLP after causal attention, against jax.jit."""
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    from jax import lax

    import furcate

    def layernorm(x):
        mu = x.mean(-1, keepdims=True)
        return (x - mu) * lax.rsqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5)

    def block(p, x):
        t = x.shape[1]
        q, k, v = (x @ p[n] for n in ("wq", "wk", "wv"))
        s = jnp.einsum("bqd,bkd->bqk", q, k) * np.float32(0.25)
        a = jax.nn.softmax(jnp.where(jnp.tril(jnp.ones((t, t), bool)), s, -jnp.inf), axis=-1)
        h = layernorm(x + jnp.einsum("bqk,bkd->bqd", a, v))
        return h + jax.nn.gelu(h @ p["w1"] + p["b1"]) @ p["w2"]

    rng = np.random.default_rng(0)
    p = {n: jnp.asarray(rng.uniform(-0.4, 0.4, s).astype(np.float32))
         for n, s in [("wq", (8, 8)), ("wk", (8, 8)), ("wv", (8, 8)), ("w1", (8, 16)), ("b1", (16,)), ("w2", (16, 8))]}
    x = jnp.asarray(rng.standard_normal((2, 5, 8)).astype(np.float32))
    stats(reset=True)
    got = furcate.jit(block, target="triton")(p, x)
    assert isinstance(got, jax.Array)
    assert_close(np.asarray(got), np.asarray(jax.jit(block)(p, x)), accumulated=True)
    st = stats(reset=True)
    assert st["backend_fallbacks"] == [] and set(st["kernels"]) == {"triton"}, st


# --------------------------------------------------------------------------
# regressions (furcate fuzz / issue reports)


@pytest.mark.parametrize("shapes,lb,lc,rb,rc", [
    (((2, 3), (2, 3)), [1], [0], [1], [0]),   # batched, rank-1 result: a 1x1 tile per batch element
    (((4,), (4, 5)), [], [0], [], [0]),       # vector-matrix: M = 1
    (((4,), (4,)), [], [0], [], [0]),         # dot of two vectors: a rank-0 result
    (((3, 4, 2), (3, 4)), [0], [1], [0], [1]),  # batched matrix-vector: N = 1
])
def test_dot_general_with_unit_tiles(shapes, lb, lc, rb, rc):
    """A GEMM whose result drops M and/or N: the store is widened to the tile and masked
    (was: InterpreterError 'Value argument cannot be block type if pointer argument is not a block')."""
    rng = np.random.default_rng(0)
    a, b_ = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    exe = run_both(one_op("dot_general", [a, b_], lhs_batching_dimensions=lb, lhs_contracting_dimensions=lc,
                          rhs_batching_dimensions=rb, rhs_contracting_dimensions=rc))
    assert kernel_steps(exe) == ["gemm"], exe.describe()


@pytest.mark.parametrize("src", [np.float64, np.int64, np.int32, np.int8, np.bool_])
def test_convert_to_bf16_from_f64_and_integers(src):
    """f64 and integers -> bf16 round through f32 as NumPy does, bit for bit (was: NaN from f64,
    raw integer bits from integers, in the interpreter). The values are ones whose f32 -> bf16
    rounding is exact or a tie and not subnormal: the interpreter truncates that step
    (docs/triton.md)."""
    import ml_dtypes

    if src is np.float64:
        x = np.array([-2.0, 0.0, -0.0, 1 + 2**-8 + 2**-30, 3.3e38, 3.5e38, 1e-50, np.nan, np.inf, -np.inf,
                      -2.75], src)
    elif src is np.bool_:
        x = np.array([True, False, True])
    else:
        info = np.iinfo(src)
        x = np.array([0, 1, -1, 7, -300, 2**24 + 2**15 + 1, info.min, info.max], np.int64).astype(src)
    p, _ = one_op("convert", [x], dtype="bf16")()
    (got,) = compile_program(p, "triton", {})(x)
    want = x.astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(np.asarray(got).view(np.uint16), want.view(np.uint16))
