"""Bad input at every entry point gets one clear message naming what was wrong: call-time
arguments (shape, dtype, device, count, type), malformed IR text (line and column), unknown
targets / passes / options / log topics (valid ones listed), unusable dump directories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import furcate
from furcate.backends import BackendUnavailable, get_backend
from furcate.cli import main
from furcate.compiler import compile_program
from furcate.diagnostics import enable_logging
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.ir.program import IRError, parse_program
from furcate.runtime.executable import GuardError

ROOT = Path(__file__).resolve().parent.parent


def tanh_program():
    b = GraphBuilder()
    x = b.arg(TensorSpec((2, 3), "f32"), name="x")
    return b.finish([b.op("tanh", x)])


@pytest.fixture(params=["numpy", "c", "xla"])
def exe(request):
    try:
        get_backend(request.param)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {request.param!r} is not available here: {e}")
    return compile_program(tanh_program(), request.param)


@pytest.mark.parametrize("args, fragments", [
    ((np.zeros((3, 2), np.float32),), ["argument 0 (x)", "shape [3, 2]", "expected [2, 3]"]),
    ((np.zeros((2, 3), np.float64),), ["argument 0 (x)", "dtype float64", "expected float32 (f32)"]),
    ((), ["expected 1 arguments, got 0"]),
    ((np.zeros((2, 3), np.float32),) * 2, ["expected 1 arguments, got 2"]),
    (([[1.0, 2.0, 3.0]] * 2,), ["argument 0 (x) is a list", "expected an array f32[2,3]"]),
    ((2.0,), ["argument 0 (x) is a float"]),
])
def test_call_time_arguments(exe, args, fragments):
    with pytest.raises(GuardError) as info:
        exe(*args)
    msg = str(info.value)
    assert "\n" not in msg
    for f in fragments:
        assert f in msg, msg


def test_call_time_torch_tensor_to_an_executable():
    torch = pytest.importorskip("torch")
    exe = compile_program(tanh_program(), "numpy")
    with pytest.raises(GuardError, match=r"argument 0 \(x\) is a Tensor of dtype torch.float32, expected a NumPy"):
        exe(torch.zeros(2, 3))


def test_call_time_device_of_a_torch_compiled_module():
    torch = pytest.importorskip("torch")
    pytest.importorskip("furcate.frontend.torch_backend")
    model = torch.nn.Linear(3, 2).to("meta")
    compiled = torch.compile(model, backend="furcate", options={"target": "numpy"})
    with torch.no_grad(), pytest.raises(Exception) as info:
        compiled(torch.zeros(4, 3, device="meta"))
    assert "CPU tensors" in str(info.value) and "meta" in str(info.value)


BAD_TYPE = """\
builtin.module {
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
    %y = furcate.tanh %x : (tensor<2xf32>) -> tensor<3xf32>
    func.return %y : tensor<2xf32>
  }
}
"""
UNKNOWN_OP = BAD_TYPE.replace("furcate.tanh", "furcate.tanhh").replace("tensor<3xf32>", "tensor<2xf32>")
BAD_SHAPE = BAD_TYPE.replace("furcate.tanh %x", "furcate.add %x, %x").replace(
    "(tensor<2xf32>) -> tensor<3xf32>", "(tensor<2xf32>, tensor<2xf32>) -> tensor<3xf32>").replace(
    "func.return %y : tensor<2xf32>", "func.return %y : tensor<3xf32>").replace("-> tensor<2xf32> {", "-> tensor<3xf32> {")


@pytest.mark.parametrize("text, fragments", [
    (BAD_TYPE, ["<input>:4:17", "tensor<3xf32>"]),
    (UNKNOWN_OP, ["<input>:3:", "furcate.tanhh is not registered"]),
    ("builtin.module {\n  func.func @main(", ["<input>:2:"]),
])
def test_malformed_ir_names_line_and_column(text, fragments):
    for parse in (parse_program, furcate.compile):
        with pytest.raises(IRError) as info:
            parse(text)
        for f in fragments:
            assert f in str(info.value), str(info.value)


def test_verifier_error_names_the_op():
    with pytest.raises(IRError, match="furcate.add"):
        parse_program(BAD_SHAPE)


def test_malformed_ir_in_the_cli_is_one_line(tmp_path, capsys):
    path = tmp_path / "bad.mlir"
    path.write_text(BAD_TYPE)
    assert main(["run", str(path), "--target", "numpy"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:4:17" in err, err


@pytest.mark.parametrize("call, fragments", [
    (lambda: compile_program(tanh_program(), "tpu9000"),
     ["unknown target 'tpu9000'", "valid targets: auto, c, numpy"]),
    (lambda: compile_program(tanh_program(), "numpy", {"pipeline": "canonicalize,fusee"}),
     ["unknown pass or pipeline 'fusee'", "passes: canonicalize, cse, dce, fuse", "pipelines: default, none"]),
    (lambda: compile_program(tanh_program(), "numpy", {"dumpdir": "x"}),
     ["unknown furcate option(s) 'dumpdir' (did you mean 'dump_dir'?)", "valid: ", "dump_dir"]),
    (lambda: enable_logging("graph,fusoin"), ["unknown FURCATE_LOG topic(s) 'fusoin'", "valid: graph, graph_splits"]),
    (lambda: get_backend("cuda"), ["unknown target 'cuda'", "valid targets"]),
])
def test_unknown_names_list_the_valid_ones(call, fragments):
    with pytest.raises(ValueError) as info:
        call()
    for f in fragments:
        assert f in str(info.value), str(info.value)


def test_unknown_log_topic_in_the_environment_warns_once_and_compiles():
    code = ("import numpy as np, furcate\n"
            "exe = furcate.compile('builtin.module {\\n func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> "
            "{\\n func.return %x : tensor<2xf32>\\n }\\n}\\n', 'numpy')\n"
            "print(exe(np.ones(2, np.float32))[0].sum())\n")
    env = dict(os.environ, FURCATE_LOG="graph,bogus")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "2.0", r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if "FURCATE_LOG" in ln]
    assert len(warnings) == 1 and "'bogus'" not in warnings[0] and "bogus ignored" in warnings[0], r.stderr
    assert "[furcate:graph] compiled main for numpy" in r.stderr  # the valid topic still logs


@pytest.mark.parametrize("what", ["file", "under_a_file"])
def test_unusable_dump_dir(tmp_path, what):
    f = tmp_path / "f"
    f.write_text("x")
    target = f if what == "file" else f / "sub"
    with pytest.raises(ValueError, match=rf"cannot use dump directory '{target}'"):
        compile_program(tanh_program(), "numpy", {"dump_dir": str(target)})


@pytest.mark.parametrize("setup, fragments", [
    (lambda p: None, ["cannot read dump directory", "no such directory"]),
    (lambda p: p.write_text("x"), ["cannot read dump directory", "is a file"]),
    (lambda p: p.mkdir(), ["holds no furcate dump", "FURCATE_DUMP_DIR"]),
])
def test_unreadable_dump_dir_in_report(tmp_path, capsys, setup, fragments):
    path = tmp_path / "dump"
    setup(path)
    assert main(["report", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("furcate report: error:"), err
    for f in fragments:
        assert f in err, err


def test_corrupt_dump_file_is_named(tmp_path, capsys):
    compile_program(tanh_program(), "numpy", {"dump_dir": str(tmp_path)})
    (graph,) = tmp_path.iterdir()
    (graph / "timing.json").write_text("{not json")
    assert main(["report", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "timing.json" in err and "not valid JSON (line 1, column 2)" in err, err


@pytest.mark.parametrize("argv, fragments", [
    (["bisect", "nowhere.mlir"], ["no such IR file: 'nowhere.mlir'"]),
    (["bisect", "model.py:f"], ["no such file: 'model.py'"]),
    (["bisect", "-", "--target", "tpu"], ["unknown target 'tpu'"]),
    (["fuzz", "--target", "tpu", "--examples", "1"], ["unknown target 'tpu'"]),
    (["fuzz", "--dtype", "f128", "--examples", "1"], ["--dtype: unknown dtype(s) f128", "valid: f32"]),
    (["fuzz", "--examples", "0"], ["--examples and --max-ops must be at least 1"]),
])
def test_cli_tools_bad_arguments(capsys, argv, fragments):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for f in fragments:
        assert f in err, err
