"""The fuzzer driver finds a wrong backend, shrinks the failure, writes a reproducer that
``furcate bisect`` localises; on a correct backend it reports nothing."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.cli import main
from furcate.tools import fuzz
from tests.tools import broken_backend


@pytest.fixture
def broken():
    broken_backend.install()
    yield broken_backend.NAME
    broken_backend.uninstall()


def test_finds_shrinks_and_saves_a_reproducer(broken, tmp_path, capsys):
    failure = fuzz.fuzz_target(broken, 60, max_ops=4, dtypes=["f32"], seed=1, out_dir=tmp_path)
    assert failure is not None
    assert "furcate.add" in failure.ir
    assert failure.path == tmp_path / "broken_0.mlir" and failure.path.read_text() == failure.ir
    inputs = np.load(tmp_path / "broken_0.inputs.npz")
    assert inputs.files and all(inputs[k].size <= 2 for k in inputs.files)  # shrunk to tiny shapes
    text = failure.text()
    assert text.startswith("broken: FAILED:") and f"furcate bisect {failure.path}" in text
    # the reproducer, as printed, localises the bug
    cmd = text.split("reproduce: furcate ")[1].split()
    assert main(cmd) == 3
    assert "first differing group" in capsys.readouterr().out


def test_correct_backend_has_no_failures(tmp_path):
    assert fuzz.fuzz_target("numpy", 15, max_ops=4, seed=0, out_dir=tmp_path) is None
    assert not list(tmp_path.iterdir())


def test_cli_fuzz_reports_failures_with_status_3(broken, tmp_path, capsys):
    rc = main(["fuzz", "--target", broken, "--examples", "60", "--max-ops", "4", "--dtype", "f32",
               "--seed", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 3 and "broken: FAILED" in out and "1 target(s) failed" in out
    assert main(["fuzz", "--target", "numpy", "--examples", "5", "--seed", "0", "--out", str(tmp_path / "ok")]) == 0
    assert "no failures" in capsys.readouterr().out


def test_default_targets_are_the_available_ones():
    targets = fuzz.available_targets()
    assert "numpy" not in targets and "c" in targets
