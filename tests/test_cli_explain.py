"""``furcate explain``: the report and the HTML picture of a placement."""

from __future__ import annotations

import textwrap

import pytest

from furcate.cli import main

MODEL = textwrap.dedent("""
    import jax.numpy as jnp
    import numpy as np
    W = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)
    def mlp(x):
        return jnp.sum(jnp.tanh(x @ W), axis=1)
""")


@pytest.fixture
def model(tmp_path):
    pytest.importorskip("jax")
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    return str(path)


def test_explain_prints_every_group_and_writes_html(model, tmp_path, capsys):
    page = tmp_path / "plan.html"
    rc = main(["explain", f"{model}:mlp", "--frontend", "jax", "--input", "f32[256,256]",
               "--devices", "sim:h100", "--html", str(page)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "gemm_0" in out and "sim:h100" in out and "estimated total" in out
    assert "all on cpu" in out and "all on sim:h100" in out
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "gemm_0" in text
    assert 'stroke="#d62728"' in text  # the transfers are drawn


def test_explain_pins_and_bad_pin(model, capsys):
    rc = main(["explain", f"{model}:mlp", "--frontend", "jax", "--input", "f32[8,256]",
               "--devices", "sim:h100", "--pin", "dot_general=sim:h100"])
    out = capsys.readouterr().out
    assert rc == 0 and "pinned: pin 'dot_general'" in out
    rc = main(["explain", f"{model}:mlp", "--frontend", "jax", "--input", "f32[8,256]", "--pin", "oops"])
    assert rc == 1 and "--pin: expected KEY=DEVICE" in capsys.readouterr().err
