"""Runs the textual IR tests in tests/ir_files (``// RUN: furcate opt %s ... | filecheck %s``)
with lit, from this interpreter's environment."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
IR_FILES = os.path.join(HERE, "ir_files")


def _missing() -> str | None:
    for mod in ("lit", "filecheck"):
        if importlib.util.find_spec(mod) is None:
            return f"the {mod!r} package is not installed in this environment"
    if importlib.util.find_spec("furcate.cli") is None:
        return "furcate.cli (the `furcate opt` command) does not exist yet"
    return None


@pytest.mark.skipif(_missing() is not None, reason=str(_missing()))
def test_lit_ir_files():
    proc = subprocess.run(
        [sys.executable, "-c", "from lit.main import main; main()", IR_FILES, "-v"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"lit failed:\n{proc.stdout[-12000:]}\n{proc.stderr[-4000:]}"
    assert "Passed:" in proc.stdout
