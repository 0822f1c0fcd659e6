"""The XLA backend as a backend: weights as arguments, errors, caching, dumps, platforms,
fusion regions and transfers, and the behaviour of the PJRT calls it relies on."""

from __future__ import annotations

import re

import numpy as np
import pytest
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region

from furcate.backends import BackendUnavailable, get_backend
from furcate.backends.xla import XlaBackend, lower_to_stablehlo, pjrt
from furcate.compiler import compile_program
from furcate.diagnostics import stats
from furcate.dtypes import TensorSpec
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir.builder import GraphBuilder
from furcate.ir.program import Program
from furcate.ir.types import to_type
from tests.tolerance import assert_close

pytest.importorskip("jax")

F32_4 = TensorSpec((4,), "f32")


def mlp():
    """x @ W + b with a 64x32 weight and a 32-element bias (both constant_ref)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((64, 32)).astype(np.float32)
    bias = rng.standard_normal(32).astype(np.float32)
    b = GraphBuilder()
    x = b.arg(TensorSpec((2, 64), "f32"), "x")
    y = b.op("dot_general", x, b.constant(w, name="w"), lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    bb = b.op("broadcast_in_dim", b.constant(bias, name="bias"), broadcast_dimensions=[1], shape=[2, 32])
    return b.finish([b.op("tanh", b.op("add", y, bb))]), w, bias


def test_weights_are_arguments_not_dense_constants():
    prog, w, bias = mlp()
    text = lower_to_stablehlo(prog)
    assert re.search(r"@main\(%arg0: tensor<2x64xf32>, %arg1: tensor<64x32xf32>, %arg2: tensor<32xf32>\)", text)
    assert all(len(m) < 100 for m in re.findall(r"dense<[^>]*>", text)), "a weight was printed into the module"
    exe = XlaBackend().compile(prog, {})
    assert sorted(np.shape(v) for v in exe.constants.values()) == [(32,), (64, 32)]
    x = np.random.default_rng(1).standard_normal((2, 64)).astype(np.float32)
    (out,) = exe(x)
    assert_close(out, np.tanh(x.astype(np.float64) @ w + bias).astype(np.float32), accumulated=True)


def test_compile_is_cached_per_text_and_platform():
    def program():
        b = GraphBuilder()
        a = b.arg(TensorSpec((7, 13), "f32"))  # a shape no other test compiles
        return b.finish([b.op("exp", b.op("neg", a))])

    n0, hits0 = pjrt.compile_count, stats()["cache_hits"]
    e1 = XlaBackend().compile(program(), {})
    assert pjrt.compile_count == n0 + 1
    e2 = XlaBackend().compile(program(), {})  # an equal program built again: no XLA compile
    assert pjrt.compile_count == n0 + 1
    assert stats()["cache_hits"] == hits0 + 1
    assert e1.steps[0] is not e2.steps[0]
    x = np.ones((7, 13), np.float32)
    assert_close(e2(x)[0], np.exp(-x))


def _unverified(build):
    """A program whose ops are not checked by furcate's verifier (a buggy pass's output)."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((3,), "f32"))
    op = build(x)
    b._builder.insert(op)
    b._builder.insert(ReturnOp(op.results[0]))
    func = FuncOp("main", ([to_type(TensorSpec((3,), "f32"))], [op.results[0].type]), Region(b.block))
    return Program(ModuleOp([func]))


def test_stablehlo_verifier_error_names_the_furcate_op():
    bad = _unverified(lambda x: d.BroadcastInDimOp([x], result_types=[to_type(TensorSpec((4, 5), "f32"))],
                                                   broadcast_dimensions=[1], shape=[4, 5]))
    with pytest.raises(CompileError) as info:
        XlaBackend().compile(bad, {})
    msg = str(info.value)
    assert "StableHLO verifier" in msg and "furcate.broadcast_in_dim#1" in msg
    assert "stablehlo.broadcast_in_dim" in msg  # the failing module is quoted


def test_wrong_result_type_names_the_furcate_op():
    bad = _unverified(lambda x: d.ExpOp(x, to_type(TensorSpec((3,), "f64"))))
    with pytest.raises(CompileError, match=r"furcate\.exp .*tensor<3xf64>"):
        XlaBackend().compile(bad, {})


def test_xla_rejection_is_a_pjrt_error():
    with pytest.raises(pjrt.PjrtError, match="rejected the module"):
        pjrt.compile("func.func @main(%a: tensor<2xf32>) -> tensor<3xf32> { return %a : tensor<2xf32> }", "cpu")


def test_xla_failures_are_furcate_errors():
    """A module XLA rejects, and a failure while running one, are caught as furcate.FurcateError."""
    import furcate

    assert issubclass(pjrt.PjrtError, furcate.FurcateError) and issubclass(pjrt.PjrtError, RuntimeError)
    with pytest.raises(furcate.FurcateError, match="rejected the module"):
        pjrt.compile("func.func @main(%a: tensor<2xf32>) -> tensor<3xf32> { return %a : tensor<2xf32> }", "cpu")
    bad = _unverified(lambda x: d.BroadcastInDimOp([x], result_types=[to_type(TensorSpec((4, 5), "f32"))],
                                                   broadcast_dimensions=[1], shape=[4, 5]))
    with pytest.raises(furcate.FurcateError, match="furcate.broadcast_in_dim"):
        XlaBackend().compile(bad, {})
    b = GraphBuilder()
    a = b.arg(F32_4)
    exe = XlaBackend().compile(b.finish([b.op("neg", a)]), {})
    jnp = pytest.importorskip("jax.numpy")
    x = jnp.ones(4, jnp.float32)
    x.delete()  # a deleted jax Array: XLA cannot read it
    with pytest.raises(furcate.FurcateError, match=r"failed to run the module(.|\n)*StableHLO"):
        exe(x)


def test_platform_choice(monkeypatch, tmp_path):
    be = XlaBackend()
    monkeypatch.delenv("FURCATE_XLA_PLATFORM", raising=False)
    assert be.platform() == "cpu" and be.device == "xla:cpu"
    caps = be.capabilities()
    assert (caps.target, caps.device, caps.ops) == ("xla", "xla:cpu", None)
    monkeypatch.setenv("FURCATE_XLA_PLATFORM", "no_such_platform")
    assert be.platform() == "no_such_platform"
    b = GraphBuilder()
    a = b.arg(F32_4)
    prog = b.finish([b.op("neg", a)])
    with pytest.raises(BackendUnavailable, match="no_such_platform"):
        be.compile(prog, {})
    exe = be.compile(prog, {"xla_platform": "cpu"})  # the option wins over the environment
    assert exe.steps[0].device == "xla:cpu" and exe.steps[0].target == "xla"


def test_compile_program_with_options_and_dump(tmp_path):
    prog, w, bias = mlp()
    exe = compile_program(prog, "xla", {"xla_platform": "cpu", "dump_dir": str(tmp_path), "name": "mlp"})
    assert exe.target == "xla" and len(exe.steps) == 1
    (graph_dir,) = tmp_path.iterdir()  # one directory: the StableHLO goes beside the driver's IR dumps
    files = {p.name for p in graph_dir.iterdir()}
    assert {"mlp.stablehlo.mlir", "executable.txt", "timing.json"} <= files and "00_input.mlir" in files
    assert "func.func public @main" in (graph_dir / "mlp.stablehlo.mlir").read_text()
    x = np.zeros((2, 64), np.float32)
    assert_close(exe(x)[0], np.tanh(np.broadcast_to(bias, (2, 32))))


def test_placed_parts_dump_their_stablehlo_into_the_graphs_dir(tmp_path):
    from furcate.runtime.devices import Device, make_spec

    host = Device("cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 3e-6), ("c", "numpy"))
    prog, _, bias = mlp()
    exe = compile_program(prog, "auto", {"devices": [host, "xla:cpu"], "placement": {"dot_general": "xla:cpu"},
                                         "dump_dir": str(tmp_path), "name": "split"})
    assert {s.device for s in exe.steps} >= {"cpu", "xla:cpu"}
    (graph_dir,) = tmp_path.iterdir()
    dumps = list(graph_dir.glob("split_*.stablehlo.mlir"))
    assert dumps and all("stablehlo.dot_general" in p.read_text() for p in dumps)
    assert_close(exe(np.zeros((2, 64), np.float32))[0], np.tanh(np.broadcast_to(bias, (2, 32))))


def test_backend_called_directly_dumps_into_its_own_dir(tmp_path):
    prog, _, _ = mlp()
    XlaBackend().compile(prog, {"dump_dir": str(tmp_path), "name": "solo"})
    (dump,) = tmp_path.glob("*_solo_xla/solo.stablehlo.mlir")
    assert "stablehlo.dot_general" in dump.read_text()


def test_fusion_region_inline_and_transfer_identity():
    spec = TensorSpec((2, 3), "f32")
    b = GraphBuilder()
    x, y = b.arg(spec), b.arg(spec)
    body = Block(arg_types=[to_type(spec), to_type(spec)])
    inner = Builder(InsertPoint.at_end(body))
    s = inner.insert(d.AddOp(body.args[0], body.args[1])).results[0]
    t = inner.insert(d.TanhOp(s)).results[0]
    inner.insert(d.YieldOp(t, s))
    fusion = d.FusionOp([x, y], [to_type(spec)] * 2, Region(body), "pointwise", "xla:cpu")
    b._builder.insert(fusion)
    moved = b.op("transfer", fusion.results[0], src="xla:cpu", dst="cpu")
    prog = b.finish([moved, fusion.results[1]])
    u = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    v = np.ones((2, 3), np.float32)
    tanh, add = XlaBackend().compile(prog, {})(u, v)
    assert_close(tanh, np.tanh(u + v))
    assert_close(add, u + v)


def test_outputs_are_numpy_and_never_alias_inputs():
    b = GraphBuilder()
    x = b.arg(TensorSpec((8,), "f64"))
    y = b.op("neg", x)
    exe = XlaBackend().compile(b.finish([x, y, y]), {})
    a = np.arange(8, dtype=np.float64)
    o = exe(a)
    assert all(type(v) is np.ndarray for v in o)
    assert o[1].dtype == np.float64  # f64 survives jax's x64-off default
    assert not np.shares_memory(o[0], a) and not np.shares_memory(o[1], o[2])
    assert_close(o[0], a)
    assert_close(o[2], -a)


def test_jax_arrays_are_accepted_as_inputs():
    import jax

    b = GraphBuilder()
    x = b.arg(TensorSpec((3,), "i64"))
    exe = XlaBackend().compile(b.finish([b.op("add", x, x)]), {})
    with jax.enable_x64(True):
        arr = jax.numpy.asarray(np.array([1, 2, 2**40], np.int64))
    (out,) = exe.run_unchecked([arr])
    assert_close(out, np.array([2, 4, 2**41], np.int64))


def test_registry_returns_the_xla_backend():
    assert isinstance(get_backend("xla"), XlaBackend)
