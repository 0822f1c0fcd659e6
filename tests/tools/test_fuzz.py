"""The fuzzer driver finds a wrong backend, shrinks the failure, writes a reproducer that
``furcate bisect`` localises; on a correct backend it reports nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from furcate.cli import main
from furcate.tools import fuzz
from tests.tools import broken_backend


# a few ops, add among them: the broken backend's bug is found within a few examples
OPS = {"add", "mul", "tanh", "reduce", "broadcast_in_dim", "constant"}


@pytest.fixture
def broken():
    broken_backend.install()
    yield broken_backend.NAME
    broken_backend.uninstall()


def test_finds_shrinks_and_saves_a_reproducer(broken, tmp_path, capsys):
    failure = fuzz.fuzz_target(broken, 60, max_ops=4, dtypes=["f32"], ops=OPS, seed=1, out_dir=tmp_path)
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
               *(a for op in sorted(OPS) for a in ("--op", op)),
               "--seed", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 3 and "broken: FAILED" in out and "1 target(s) failed" in out
    assert main(["fuzz", "--target", "numpy", "--examples", "5", "--seed", "0", "--out", str(tmp_path / "ok")]) == 0
    assert "no failures" in capsys.readouterr().out


def test_default_targets_are_the_available_ones():
    targets = fuzz.available_targets()
    assert "numpy" not in targets and "c" in targets


def test_unavailable_target_is_skipped_with_the_reason(capsys):
    broken_backend.install(broken_backend.NO_DEVICE)
    try:
        assert fuzz.unavailable_reason(broken_backend.NO_DEVICE) == "nodevice backend: no such device on this machine"
        assert broken_backend.NO_DEVICE not in fuzz.available_targets()
        assert main(["fuzz", "--target", broken_backend.NO_DEVICE, "--target", "numpy", "--examples", "3",
                     "--seed", "0", "--out", "unused"]) == 0
    finally:
        broken_backend.uninstall(broken_backend.NO_DEVICE)
    out = capsys.readouterr().out
    assert "nodevice: skipped, not available here: nodevice backend: no such device" in out
    assert "numpy: ok" in out and "no failures" in out and "FAILED" not in out
    assert fuzz.unavailable_reason("numpy") is None
    with pytest.raises(ValueError, match="unknown target 'nosuch'"):
        fuzz.fuzz(["nosuch"], 1)


def test_triton_without_gpu_or_interpreter_is_skipped(tmp_path):
    """The reported bug: `furcate fuzz` on a CPU machine counted triton as FAILED and exited 3."""
    pytest.importorskip("triton")
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: triton is available")
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    r = subprocess.run([sys.executable, "-m", "furcate", "fuzz", "--target", "triton", "--examples", "2",
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "triton: skipped, not available here: triton backend: no CUDA GPU" in r.stdout
    assert "TRITON_INTERPRET=1" in r.stdout and not list(tmp_path.iterdir())


def test_unknown_op_is_refused(capsys):
    assert main(["fuzz", "--target", "numpy", "--op", "frobnicate", "--examples", "1"]) == 1
    err = capsys.readouterr().err
    assert "generates no op(s) frobnicate; valid: " in err and "convolution" in err
