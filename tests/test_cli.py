"""The furcate CLI, run as a user runs it: ``python -m furcate ...`` in a subprocess."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from furcate.ir.program import parse_program
from tests.tolerance import assert_close

# tanh is computed twice (CSE merges them) and exp is dead (DCE removes it)
IR = """\
builtin.module {
  func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4xf32> {
    %a = furcate.tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %b = furcate.tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %dead = furcate.exp %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %c = furcate.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %d = furcate.mul %c, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %s = furcate.reduce %d {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x8xf32>) -> tensor<4xf32>
    func.return %s : tensor<4xf32>
  }
}
"""

IR_REF = """\
builtin.module {
  func.func @main(%x: tensor<2x20xf32>) -> tensor<2x20xf32> {
    %w = furcate.constant_ref {ref = "w"} : () -> tensor<2x20xf32>
    %s = furcate.add %x, %w : (tensor<2x20xf32>, tensor<2x20xf32>) -> tensor<2x20xf32>
    func.return %s : tensor<2x20xf32>
  }
}
"""


def reference(x, y):
    return (2 * np.tanh(x) * y).sum(axis=1)


def furcate_cli(*args, stdin: str | None = None, cwd=None, env=None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "FURCATE_DEBUG": "0", **(env or {})}
    full_env.pop("FURCATE_DUMP_DIR", None)
    return subprocess.run([sys.executable, "-m", "furcate", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=cwd, env=full_env, timeout=300)


def ops_of(text: str) -> list[str]:
    prog = parse_program(text)
    return [op.name for op in prog.func.body.walk() if op.name.startswith("furcate.")]


def assert_one_line_error(r: subprocess.CompletedProcess, *fragments: str) -> str:
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def ir_file(tmp_path) -> Path:
    p = tmp_path / "prog.mlir"
    p.write_text(IR)
    return p


# -- opt ---------------------------------------------------------------------


def test_opt_stdin_runs_passes():
    r = furcate_cli("opt", "-p", "cse,dce", stdin=IR)
    assert r.returncode == 0, r.stderr
    assert sorted(ops_of(r.stdout)) == sorted(["furcate.tanh", "furcate.add", "furcate.mul", "furcate.reduce"])


def test_opt_without_passes_reprints_the_same_program(ir_file):
    r = furcate_cli("opt", ir_file)
    assert r.returncode == 0, r.stderr
    assert r.stdout == parse_program(IR).text()


def test_opt_file_to_output_file(ir_file, tmp_path):
    out = tmp_path / "out.mlir"
    r = furcate_cli("opt", ir_file, "-p", "canonicalize", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "furcate.exp" not in out.read_text()
    assert ops_of(out.read_text()).count("furcate.tanh") == 1


def test_opt_print_ir_after_all(ir_file):
    r = furcate_cli("opt", ir_file, "-p", "dce,cse", "--print-ir-after-all")
    assert r.returncode == 0, r.stderr
    after_dce = r.stderr.index("IR Dump After dce")
    after_cse = r.stderr.index("IR Dump After cse")
    assert after_dce < after_cse
    # after dce the dead exp is gone but both tanh remain; cse then merges them
    assert "furcate.exp" not in r.stderr[after_dce:]
    assert r.stderr[after_dce:after_cse].count("furcate.tanh") == 2
    assert r.stderr[after_cse:].count("furcate.tanh") == 1
    # stdout holds only the result
    assert "IR Dump" not in r.stdout and r.stdout.count("furcate.tanh") == 1


def test_opt_constants(tmp_path):
    (tmp_path / "p.mlir").write_text(IR_REF)
    r = furcate_cli("opt", tmp_path / "p.mlir")
    assert_one_line_error(r, "'w'", "--constants")
    np.savez(tmp_path / "c.npz", w=np.ones((2, 20), np.float32))
    r = furcate_cli("opt", tmp_path / "p.mlir", "--constants", tmp_path / "c.npz")
    assert r.returncode == 0, r.stderr
    assert 'furcate.constant_ref {ref = "w"}' in r.stdout
    np.savez(tmp_path / "bad.npz", w=np.ones((3,), np.float32))
    assert_one_line_error(furcate_cli("opt", tmp_path / "p.mlir", "--constants", tmp_path / "bad.npz"), "'w'")


def test_opt_lower_stablehlo(ir_file):
    r = furcate_cli("opt", ir_file, "-p", "canonicalize,lower-stablehlo")
    try:
        from furcate.backends.xla import lower_to_stablehlo  # noqa: F401
    except ImportError:
        assert_one_line_error(r, "lower-stablehlo", "furcate.backends.xla")
        return
    assert r.returncode == 0, r.stderr
    assert "stablehlo." in r.stdout and "furcate." not in r.stdout


# -- run ---------------------------------------------------------------------


def test_run_given_inputs_matches_numpy(ir_file, tmp_path):
    rng = np.random.default_rng(7)
    x, y = (rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2))
    np.savez(tmp_path / "in.npz", x, y)
    r = furcate_cli("run", ir_file, "--inputs", tmp_path / "in.npz", "--output", tmp_path / "out.npz",
                    "--target", "numpy")
    assert r.returncode == 0, r.stderr
    assert "out0: f32[4]" in r.stdout
    with np.load(tmp_path / "out.npz") as f:
        assert list(f.files) == ["out0"]
        assert_close(f["out0"], reference(x, y), accumulated=True)


def test_run_random_inputs_are_seeded(ir_file, tmp_path):
    outs = []
    for seed, name in [(1, "a"), (1, "b"), (2, "c")]:
        r = furcate_cli("run", ir_file, "--input", "f32[4,8]", "--input", "f32[4,8]", "--seed", seed,
                        "--output", tmp_path / f"{name}.npz")
        assert r.returncode == 0, r.stderr
        assert "random, seed" in r.stdout and "min=" in r.stdout
        with np.load(tmp_path / f"{name}.npz") as f:
            outs.append(f["out0"])
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.array_equal(outs[0], outs[2])


def test_run_input_spec_must_match_program(ir_file):
    assert_one_line_error(furcate_cli("run", ir_file, "--input", "f32[4,9]", "--input", "f32[4,8]"),
                          "argument 0", "f32[4,8]", "f32[4,9]")
    assert_one_line_error(furcate_cli("run", ir_file, "--input", "f32[4,8]"), "2 argument(s)")


# -- errors ------------------------------------------------------------------


def test_bad_ir_reports_line_and_column(tmp_path):
    p = tmp_path / "bad.mlir"
    p.write_text(IR.replace("furcate.add %a", "furcate.addd %a"))
    line = assert_one_line_error(furcate_cli("opt", p), "bad.mlir:6:", "furcate.addd")
    assert line.startswith("furcate opt: error:")


def test_ill_typed_ir_names_the_op():
    bad = IR.replace("%s = furcate.reduce %d {dimensions = array<i64: 1>",
                     "%s = furcate.reduce %d {dimensions = array<i64: 0>")
    assert_one_line_error(furcate_cli("opt", stdin=bad), "furcate.reduce")


@pytest.mark.parametrize("args, fragments", [
    (["opt", "-", "-p", "cse,nosuchpass"], ["nosuchpass", "canonicalize", "lower-stablehlo"]),
    (["opt", "-", "-p", "lower-stablehlo,cse"], ["must come last"]),
    (["opt", "-", "-p", "emit-c,fuse"], ["'emit-c'", "must come last"]),
    (["opt", "-", "-p", "fuse,nosuch,emit-triton"], ["nosuch", "emit-c", "emit-triton"]),
    (["run", "-", "--target", "nosuchtarget"], ["nosuchtarget", "numpy"]),
    (["run", "-", "--input", "f32(4,8)"], ["--input", "f32(4,8)"]),
    (["run", "-", "--input", "q7[4]"], ["--input", "q7"]),
    (["opt", "/nonexistent/x.mlir"], ["/nonexistent/x.mlir"]),
])
def test_errors_are_one_line(args, fragments):
    assert_one_line_error(furcate_cli(*args, stdin=IR), *fragments)


def test_debug_shows_traceback():
    r = furcate_cli("opt", "-p", "nosuchpass", stdin=IR, env={"FURCATE_DEBUG": "1"})
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "furcate"
    r = subprocess.run([script, "opt", "-p", "dce"], input=IR, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "furcate.exp" not in r.stdout


# -- compile -----------------------------------------------------------------

needs_torch_frontend = pytest.mark.skipif(
    importlib.util.find_spec("furcate.frontend.torch_fx") is None, reason="torch frontend not there yet")
needs_jax_frontend = pytest.mark.skipif(
    importlib.util.find_spec("furcate.frontend.jaxpr") is None, reason="jax frontend not there yet")

TORCH_MODEL = textwrap.dedent("""
    import torch

    def f(x, y):
        return torch.tanh(x) * y + 1.0

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 3)

        def forward(self, x):
            return torch.relu(self.fc(x))

    def make_net():
        return Net()

    def make_nothing():
        return 3

    net = Net()
""")

JAX_FN = textwrap.dedent("""
    import jax.numpy as jnp

    def g(x, w):
        return jnp.tanh(x @ w).sum(axis=0)
""")


def check_dump(dump: Path, name: str) -> None:
    (graph,) = [d for d in dump.iterdir() if d.is_dir()]
    assert graph.name.endswith(name)
    files = {p.name for p in graph.iterdir()}
    assert {"executable.txt", "timing.json"} <= files, files
    stages = sorted(graph.glob("*.mlir"))
    assert stages[0].name.endswith("_input.mlir") and len(stages) >= 2
    parse_program(stages[-1].read_text())  # the dumped IR is valid (no constant_refs here)


@needs_torch_frontend
def test_compile_torch_function_with_dump(tmp_path):
    (tmp_path / "model.py").write_text(TORCH_MODEL)
    r = furcate_cli("compile", "model.py:f", "--input", "f32[4,8]", "--input", "f32[4,8]", "--dump-dir", "dumps",
                    "--target", "numpy", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "tanh" in r.stdout and "outputs: f32[4,8]" in r.stdout and "kernels: numpy" in r.stdout
    assert "dumps" in r.stdout
    check_dump(tmp_path / "dumps", "f")


@needs_torch_frontend
@pytest.mark.parametrize("attr", ["Net", "net", "make_net"])
def test_compile_torch_module_forms(tmp_path, attr, capsys, monkeypatch):
    """In-process (torch is imported once per worker): class, instance and factory all compile."""
    from furcate.cli import main

    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "model.py").write_text(TORCH_MODEL)
    assert main(["compile", f"{tmp_path / 'model.py'}:{attr}", "--input", "f32[2,8]"]) == 0
    out = capsys.readouterr().out
    assert "outputs: f32[2,3]" in out and "dot_general" in out


@needs_jax_frontend
def test_compile_jax_function_with_dump(tmp_path):
    (tmp_path / "jmodel.py").write_text(JAX_FN)
    r = furcate_cli("compile", "jmodel:g", "--frontend", "jax", "--input", "f32[4,8]", "--input", "f32[8,3]",
                    "--dump-dir", tmp_path / "dumps", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "outputs: f32[3]" in r.stdout and "dot_general" in r.stdout
    check_dump(tmp_path / "dumps", "g")


def check_one_line_error(capsys, status: int, *fragments: str) -> None:
    """The in-process twin of assert_one_line_error: main() returned 1 and printed one line."""
    err = capsys.readouterr().err
    assert status == 1 and len(err.strip().splitlines()) == 1, err
    for f in fragments:
        assert f in err, err


@pytest.mark.parametrize("target, fragments", [
    ("nosuchmodule:f", ["nosuchmodule"]),
    ("model.py:nosuchfn", ["nosuchfn", "make_net"]),
    ("missing.py:f", ["missing.py"]),
    ("model.py", ["MODULE_OR_FILE:FUNCTION"]),
    ("model.py:make_nothing", ["make_nothing", "nn.Module"]),
    ("broken.py:f", ["broken.py", "ZeroDivisionError"]),
])
def test_compile_load_errors(tmp_path, target, fragments, capsys, monkeypatch):
    from furcate.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "model.py").write_text(TORCH_MODEL)
    (tmp_path / "broken.py").write_text("1 / 0\n")
    check_one_line_error(capsys, main(["compile", target, "--input", "f32[4,8]"]), *fragments)


def test_compile_missing_function_in_a_subprocess(tmp_path):
    (tmp_path / "model.py").write_text("def f(x):\n    return x\n")
    assert_one_line_error(furcate_cli("compile", "model:nosuchfn", "--input", "f32[4,8]", cwd=tmp_path),
                          "nosuchfn", "defines: f")


@pytest.mark.parametrize("extra, fragments", [
    (["--target", "nosuchtarget"], ["nosuchtarget", "numpy"]),
    (["--input", "f32[4,x]"], ["--input", "f32[4,x]"]),
    (["--dump-dir", "model.py/dumps"], ["--dump-dir", "model.py/dumps"]),
])
def test_compile_argument_errors(tmp_path, extra, fragments, capsys, monkeypatch):
    from furcate.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(TORCH_MODEL)
    check_one_line_error(capsys, main(["compile", "model.py:f", *extra]), *fragments)


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_a_dump_reruns_with_its_constants(tmp_path, dtype):
    """A compile with a dump directory writes the program's weights as constants.npz, so
    `furcate run` re-runs the dumped input IR with them and gets the same outputs."""
    import ml_dtypes

    from furcate.compiler import compile_program
    from furcate.ir.program import Program, parse_ir

    np_dt = ml_dtypes.bfloat16 if dtype == "bf16" else np.float32
    text = IR_REF.replace("f32>", f"{dtype}>")
    w = (np.arange(40).reshape(2, 20) / 8).astype(np_dt)
    x = np.linspace(-1, 1, 40).reshape(2, 20).astype(np_dt)
    exe = compile_program(Program(parse_ir(text, "p.mlir"), {"w": w}), "numpy", {"dump_dir": str(tmp_path / "d"), "name": "g"})
    (want,) = exe(x)
    (graph,) = [p for p in (tmp_path / "d").iterdir() if p.is_dir()]
    assert (graph / "constants.npz").is_file()
    (ir,) = graph.glob("*_input.mlir")
    np.savez(tmp_path / "x.npz", x=x)
    r = furcate_cli("run", ir, "--constants", graph / "constants.npz", "--inputs", tmp_path / "x.npz",
                    "--target", "numpy", "--output", tmp_path / "out.npz")
    assert r.returncode == 0, r.stderr
    with np.load(tmp_path / "out.npz", allow_pickle=False) as f:
        got = f["out0"]
    np.testing.assert_array_equal(got.view(np_dt) if got.dtype == np.dtype("V2") else got, want)
