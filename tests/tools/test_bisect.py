"""``furcate bisect`` names the first group (or pass) whose numbers differ from NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.backends import BackendUnavailable, get_backend
from furcate.cli import main
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.passes import pipeline
from furcate.tools import bisect as bis
from tests.tools import broken_backend


@pytest.fixture
def broken():
    broken_backend.install()
    yield broken_backend.NAME
    broken_backend.uninstall()


def program():
    """exp(x) -> row max (group 0: reduction) ; tanh(x) + y -> row sum (group 1: holds the add)."""
    b = GraphBuilder()
    x, y = b.arg(TensorSpec((4, 8), "f32")), b.arg(TensorSpec((4, 8), "f32"))
    m = b.op("reduce", b.op("exp", x), kind="max", dimensions=[1])
    s = b.op("reduce", b.op("add", b.op("tanh", x), y), kind="sum", dimensions=[1])
    return b.finish([m, s])


def inputs():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2)]


def test_names_the_group_holding_the_wrong_op(broken):
    report = bis.bisect(program(), inputs(), broken)
    assert report.bad_pass is None
    assert [m.what for m in report.output_mismatches] == ["output 1"]  # only the sum is wrong
    bad = report.first_bad
    assert bad is not None and bad.index == 1 and "add" in bad.label and bad.label.startswith("fusion[reduction]")
    assert report.groups[0].ok  # the exp/max group was checked first and agrees
    assert "beyond rtol" in str(bad.mismatches[0]) and "first differing group: #1" in report.text()
    assert not report.ok


@pytest.mark.parametrize("target", ["numpy", "c", "xla"])
def test_correct_backends_agree_everywhere(target):
    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")
    report = bis.bisect(program(), inputs(), target, all_groups=True)
    assert report.ok, report.text()
    assert len(report.groups) == report.n_groups >= 2


def test_names_a_pass_that_changes_the_results(monkeypatch):
    from xdsl.passes import ModulePass
    from xdsl.rewriter import Rewriter

    from furcate.ir import dialect as d

    class AddToSub(ModulePass):
        """A wrong rewrite: furcate.add becomes furcate.sub on the same operands."""

        name = "add-to-sub"

        def apply(self, ctx, module):
            for op in list(module.walk()):
                if isinstance(op, d.AddOp):
                    new = d.SubOp.create(operands=list(op.operands), result_types=[r.type for r in op.results])
                    Rewriter.replace_op(op, new)

    monkeypatch.setitem(pipeline.PASSES, "add-to-sub", AddToSub)
    report = bis.bisect(program(), inputs(), "numpy", "canonicalize,add-to-sub,fuse")
    assert report.bad_pass == "add-to-sub", report.text()
    assert "pass 'add-to-sub' changed the program's results" in report.text()


def test_compare_edge_values():
    f = np.array([np.nan, np.inf, -0.0, 1.0], np.float32)
    assert bis.compare(f, f.copy()) is None
    m = bis.compare(np.array([1.0, np.inf, 0.0, 1.0], np.float32), f)  # NaN expected at [0], 1 came
    assert "1 of 4 elements" in str(m) and "first at [0]: got 1, expected nan" in str(m)
    assert bis.compare(np.array([np.nan, -np.inf, 0.0, 1.0], np.float32), f) is not None  # -inf vs inf
    m = bis.compare(np.array([1, 2, 3], np.int32), np.array([1, 2, 4], np.int32))
    assert "1 of 3 elements differ; first at [2]" in str(m)
    assert "is float64[3]" in str(bis.compare(np.zeros(3), np.zeros(3, np.float32)))
    assert bis.compare(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32)) is None


IR = """\
builtin.module {
  func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4xf32> {
    %t = furcate.tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %a = furcate.add %t, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %s = furcate.reduce %a {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x8xf32>) -> tensor<4xf32>
    func.return %s : tensor<4xf32>
  }
}
"""


def test_cli_bisect_ir_file(broken, tmp_path, capsys):
    path = tmp_path / "p.mlir"
    path.write_text(IR)
    assert main(["bisect", str(path), "--target", broken]) == 3
    out = capsys.readouterr().out
    assert "first differing group: #0 fusion[reduction] (tanh, add, reduce)" in out
    assert main(["bisect", str(path), "--target", "numpy"]) == 0
    assert "groups: all 3 agree with numpy" in capsys.readouterr().out  # numpy does not fuse


def test_cli_bisect_torch_function(broken, tmp_path, capsys, monkeypatch):
    pytest.importorskip("torch")
    (tmp_path / "model.py").write_text("import torch\n\ndef f(x, y):\n    return (torch.tanh(x) + y).sum(1)\n")
    monkeypatch.chdir(tmp_path)
    rc = main(["bisect", "model.py:f", "--input", "f32[4,8]", "--input", "f32[4,8]", "--target", broken])
    out = capsys.readouterr().out
    assert rc == 3 and "first differing group" in out and "add" in out.split("first differing group")[1]


@pytest.fixture
def crashing():
    broken_backend.install(broken_backend.CRASHING)
    yield broken_backend.CRASHING
    broken_backend.uninstall(broken_backend.CRASHING)


def test_names_the_group_whose_compile_raises(crashing):
    """A group that raises (here: any group holding tanh) is the first failing group, with
    the error; the whole program raising is reported on the outputs line."""
    report = bis.bisect(program(), inputs(), crashing)
    assert report.output_error == "RuntimeError: crashing backend: cannot compile furcate.tanh"
    assert report.groups[0].ok
    bad = report.first_bad
    assert bad.index == 1 and "tanh" in bad.label and bad.error == report.output_error
    assert not report.ok
    text = report.text()
    assert "first failing group: #1 fusion[reduction] (tanh, add, reduce)" in text
    assert "raised RuntimeError: crashing backend: cannot compile furcate.tanh" in text


def test_cli_bisect_raising_group_exits_3(crashing, tmp_path, capsys):
    path = tmp_path / "p.mlir"
    path.write_text(IR)
    assert main(["bisect", str(path), "--target", crashing]) == 3
    out = capsys.readouterr().out
    assert "first failing group: #0" in out and "internal error" not in out


def test_names_a_pass_that_raises(monkeypatch):
    from xdsl.passes import ModulePass

    class Explodes(ModulePass):
        name = "explodes"

        def apply(self, ctx, module):
            raise KeyError("no rule for furcate.add")

    monkeypatch.setitem(pipeline.PASSES, "explodes", Explodes)
    report = bis.bisect(program(), inputs(), "numpy", "canonicalize,explodes,fuse")
    assert report.bad_pass == "explodes" and not report.ok
    assert "pass 'explodes' raised KeyError: 'no rule for furcate.add'" in report.text()
