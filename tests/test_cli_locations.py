"""The CLI points at the line of bad IR: a verifier failure at the op that fails, an
undefined value at its use, empty input by name; and ``furcate compile FILE:f`` without
``--input`` names the inputs f needs."""

from __future__ import annotations

import sys

import pytest

from furcate.cli import main
from furcate.cli import locate
from furcate.ir.program import parse_ir

WRONG_RESULT = """\
builtin.module {
  func.func @main(%x: tensor<2xf32>) -> tensor<3xf32> {
    %t = furcate.tanh %x : (tensor<2xf32>) -> tensor<2xf32>
      %y = furcate.add %t, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<3xf32>
    func.return %y : tensor<3xf32>
  }
}
"""
WRONG_RETURN = """\
builtin.module {
  func.func @main(%x: tensor<2xf32>) -> tensor<3xf32> {
    // the function says f32[3], the value returned is f32[2]
    %t = furcate.tanh %x : (tensor<2xf32>) -> tensor<2xf32>
    func.return %t : tensor<2xf32>
  }
}
"""
IN_A_FUSION = """\
builtin.module {
  func.func @main(%0: tensor<4xf32>) -> tensor<4xf32> {
    %1 = furcate.fusion "pointwise" on "default" (%0) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%2: tensor<4xf32>):
      %3 = furcate.exp %2 : (tensor<4xf32>) -> tensor<4xf32>
      %4 = furcate.reduce %3 {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4xf32>) -> tensor<f32>
      furcate.yield %3 : tensor<4xf32>
    }
    func.return %1 : tensor<4xf32>
  }
}
"""
UNDEFINED = WRONG_RESULT.replace("furcate.add %t, %x", "furcate.add %t, %nowhere").replace(
    "tensor<3xf32>", "tensor<2xf32>")
UNKNOWN_CONSTANT = """\
builtin.module {
  func.func @main(%x: tensor<2x20xf32>) -> tensor<2x20xf32> {
    %w = furcate.constant_ref {ref = "w"} : () -> tensor<2x20xf32>
    %s = furcate.add %x, %w : (tensor<2x20xf32>, tensor<2x20xf32>) -> tensor<2x20xf32>
    func.return %s : tensor<2x20xf32>
  }
}
"""


def error_of(capsys, argv) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("command", ["opt", "run"])
@pytest.mark.parametrize("text, where, fragment", [
    (WRONG_RESULT, "4:7", "furcate.add: result type f32[3] does not match the inferred f32[2]"),
    (WRONG_RETURN, "5:5", "func.return"),
    (IN_A_FUSION, "6:7", "furcate.reduce"),
    (UNKNOWN_CONSTANT, "3:5", "unknown constant 'w' (pass its array with --constants FILE.npz)"),
    (UNDEFINED, "4:28", "value %nowhere is used but never defined"),
])
def test_errors_carry_file_line_column(tmp_path, capsys, command, text, where, fragment):
    path = tmp_path / "bad.mlir"
    path.write_text(text)
    err = error_of(capsys, [command, str(path)])
    assert f"furcate {command}: error: {path}:{where}: " in err and fragment in err, err


def test_stdin_is_named_and_empty_input_is_explained(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(WRONG_RESULT))
    assert "error: <stdin>:4:7: furcate.add" in error_of(capsys, ["opt"])
    for empty in ("", "\n  \n", "// only a comment\n"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(empty))
        assert error_of(capsys, ["opt"]).endswith("error: <stdin>: empty input: expected a builtin.module")


def test_op_positions_follow_walk_order():
    module = parse_ir(IN_A_FUSION)
    names = [op.name for op in module.walk()]
    positions = locate.op_positions(IN_A_FUSION)
    assert len(positions) == len(names) == 7
    assert positions[names.index("furcate.fusion")] == (3, 5) and positions[names.index("furcate.yield")] == (7, 7)


MODEL = """\
import torch


def f(x, y, scale=2.0):
    return torch.tanh(x) * y * scale


class Net(torch.nn.Module):
    def forward(self, x):
        return x + 1
"""


@pytest.mark.parametrize("command, target, given, fragment", [
    ("compile", "model.py:f", [], "model.py:f takes 2 to 3 input(s) (x, y, scale); got 0 --input spec(s)"),
    ("compile", "model.py:f", ["f32[2]"] * 4, "takes 2 to 3 input(s) (x, y, scale); got 4"),
    ("compile", "model.py:Net", [], "model.py:Net takes 1 input(s) (x); got 0 --input spec(s)"),
    ("bisect", "model.py:f", [], "model.py:f takes 2 to 3 input(s) (x, y, scale); got 0 --input spec(s)"),
])
def test_compile_without_inputs_names_the_parameters(tmp_path, capsys, monkeypatch, command, target, given,
                                                     fragment):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "model.py").write_text(MODEL)
    args = [a for spec in given for a in ("--input", spec)]
    err = error_of(capsys, [command, target, *args, "--target", "numpy"])
    assert fragment in err and "Give one --input SPEC per input" in err, err


def test_compile_jax_without_inputs_names_the_parameters(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "jmodel.py").write_text("def g(a, b):\n    return a * b\n")
    err = error_of(capsys, ["compile", "jmodel.py:g", "--frontend", "jax"])
    assert "jmodel.py:g takes 2 input(s) (a, b); got 0" in err, err
