"""The CLI never executes code from the files it reads, except the Python module the user
names (furcate/cli/*, furcate/tools/*): IR files, .npz inputs and dumps are data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from furcate.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _payload_ir(marker_dir: Path) -> str:
    """IR whose every free-form string (function name, attributes) is a Python/C/shell injection."""
    py = f"__import__('os').system('touch {marker_dir}/PY')"
    c = f'*/ int fc_evil(void) {{ return system(\\"touch {marker_dir}/C\\"); }} /*'
    sh = f"$(touch {marker_dir}/SH)`touch {marker_dir}/SH2`"
    return (
        f'func.func @"main\\"); {py}; (\\"{c}\\n{sh}"(%x: tensor<16xf32>, %y: tensor<16xf32>) -> (tensor<16xf32>) {{\n'
        f'  %a = furcate.add %x, %y attributes {{note = "\\n{py}\\n{c}\\n{sh}"}} : '
        "(tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>\n"
        "  %b = furcate.exp %a : (tensor<16xf32>) -> tensor<16xf32>\n"
        "  func.return %b : tensor<16xf32>\n}\n"
    )


@pytest.mark.parametrize("command", [["run", "--target", "numpy"], ["run", "--target", "c"], ["opt", "-p", "default"],
                                     ["bisect", "--target", "c"]])
def test_ir_file_names_are_never_executed(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path / "cache"))
    ir = tmp_path / "evil.mlir"
    ir.write_text(_payload_ir(tmp_path))
    dump = tmp_path / "dump"
    monkeypatch.setenv("FURCATE_DUMP_DIR", str(dump))
    assert main([command[0], str(ir), *command[1:]]) == 0, capsys.readouterr().err
    if dump.exists():  # `opt` compiles nothing, so it dumps nothing
        assert main(["report", str(dump)]) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name in ("PY", "C", "SH", "SH2")]


def test_npz_with_pickled_objects_is_refused_not_loaded(tmp_path, capsys):
    marker = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = tmp_path / "inputs.npz"
    np.savez(evil, a=np.array([Evil()], dtype=object))
    ir = tmp_path / "id.mlir"
    ir.write_text("func.func @main(%x: tensor<1xf32>) -> (tensor<1xf32>) {\n  func.return %x : tensor<1xf32>\n}\n")
    assert main(["run", str(ir), "--inputs", str(evil)]) == 1
    assert "not an .npz file of plain arrays" in capsys.readouterr().err
    assert not marker.exists()


def test_modules_beside_the_named_file_do_not_shadow_later_imports(tmp_path):
    """``furcate compile dir/model.py:f`` runs model.py; a ``sympy.py`` planted beside it must
    not run when torch imports sympy afterwards."""
    pytest.importorskip("torch")
    d = tmp_path / "downloads"
    d.mkdir()
    (d / "model.py").write_text("def f(x):\n    return x * 2\n")
    planted = ("sympy", "mpmath", "tqdm", "opt_einsum", "triton", "xdsl", "ml_dtypes")
    for name in planted:
        (d / f"{name}.py").write_text(f"open({str(tmp_path / ('PWNED_' + name))!r}, 'w').close()\n")
    r = subprocess.run([sys.executable, "-m", "furcate", "compile", f"{d}/model.py:f", "--input", "f32[4]",
                        "--target", "numpy"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                       env=dict(os.environ, FURCATE_CACHE_DIR=str(tmp_path / "cache")))
    assert r.returncode == 0, r.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.glob("PWNED_*")) == []


def test_named_file_can_still_import_its_neighbours(tmp_path, capsys):
    d = tmp_path / "proj"
    d.mkdir()
    (d / "helpers_for_cli_test.py").write_text("SCALE = 3\n")
    (d / "model_for_cli_test.py").write_text(
        "def f(x):\n    import helpers_for_cli_test  # a lazy import of a neighbour\n"
        "    return x * helpers_for_cli_test.SCALE\n")
    from furcate.cli.loading import get_attr, import_module

    fn = get_attr(import_module(str(d / "model_for_cli_test.py")), "m", "f")
    assert fn(2) == 6
    assert sys.path[0] != str(d)  # first only while the module is imported
    # a name that is not installed, planted beside the model: only the model's own code finds it
    (d / "not_installed_for_cli_test.py").write_text("VALUE = 1\n")
    with pytest.raises(ModuleNotFoundError):
        import not_installed_for_cli_test  # noqa: F401


UNSAFE = re.compile(r"\bpickle\b|allow_pickle\s*=\s*True|\beval\(|\bexec\(|yaml\.load\(|torch\.load\(|"
                    r"shell\s*=\s*True|os\.system\(|\bmarshal\b|\bshelve\b")


def test_cli_and_tools_have_no_code_loading_calls():
    """No pickle, eval/exec, yaml.load, torch.load or shell commands in the CLI and its tools."""
    found = []
    for p in sorted([*(ROOT / "furcate" / "cli").glob("*.py"), *(ROOT / "furcate" / "tools").glob("*.py")]):
        for n, line in enumerate(p.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if UNSAFE.search(code) and "allow_pickle=False" not in code:
                found.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []
