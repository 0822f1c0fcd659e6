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


def _svg(page: str):
    import xml.etree.ElementTree as ET

    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    return ET.fromstring(page[start:end])  # well-formed XML, or this raises


def _by_class(svg, tag: str, cls: str) -> list:
    ns = "{http://www.w3.org/2000/svg}"
    return [e for e in svg.iter(ns + tag) if e.get("class") == cls]


def test_html_draws_one_box_per_group_and_every_transfer():
    import numpy as np

    from furcate.compiler import run_pipeline
    from furcate.dtypes import TensorSpec
    from furcate.compiler import placement_pipeline
    from furcate.ir.builder import GraphBuilder
    from furcate.passes.explain import html
    from furcate.runtime.devices import Device, Machine, make_spec, simulated

    rng = np.random.default_rng(0)
    b = GraphBuilder()
    ids = b.arg(TensorSpec((64,), "i32"), "ids")
    rows = b.op("gather", b.constant(rng.standard_normal((1000, 256)).astype(np.float32), name="t"), ids, axis=0)
    w = b.constant(rng.standard_normal((256, 256)).astype(np.float32), name="w")
    h = b.op("dot_general", rows, w, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
             lhs_batching_dimensions=[], rhs_batching_dimensions=[])
    out = b.op("cumulative", b.op("tanh", h), kind="sum", dimension=1, reverse=0)
    program = b.finish([out, rows])
    host = Device("cpu", make_spec("test-host", "cpu", {"f32": 50e9}, 20e9, 64e9, 3e-6), ("numpy",))
    gpu = simulated("h100", memory=600e3, ops={"dot_general", "tanh"})
    plan = placement_pipeline(program, {}, Machine((host, gpu)), run_pipeline)
    assert plan.transfers and len(plan.devices_used()) == 2

    svg = _svg(html(plan))
    units = {g.get("data-name"): g.get("data-device") for g in _by_class(svg, "g", "unit")}
    assert units == {dec.unit: dec.device for dec in plan.decisions}
    assert len(_by_class(svg, "g", "unit")) == len(plan.decisions)
    where = dict(units, inputs="cpu", outputs="cpu")
    moves = [(e.get("data-src"), e.get("data-dst")) for e in _by_class(svg, "line", "edge transfer")]
    stays = [(e.get("data-src"), e.get("data-dst")) for e in _by_class(svg, "line", "edge")]
    assert sorted(moves + stays) == sorted((a, b) for a, b, _, _ in plan.edges)
    assert moves and all(where[a] != where[b] for a, b in moves)
    assert all(where[a] == where[b] for a, b in stays)
    assert {(where[a], where[b]) for a, b in moves} == {(t.src, t.dst) for t in plan.transfers}


def test_cli_html_page_is_well_formed(model, tmp_path, capsys):
    page = tmp_path / "plan.html"
    assert main(["explain", f"{model}:mlp", "--frontend", "jax", "--input", "f32[256,256]",
                 "--devices", "sim:h100", "--html", str(page)]) == 0
    out = capsys.readouterr().out
    svg = _svg(page.read_text())
    names = [g.get("data-name") for g in _by_class(svg, "g", "unit")]
    assert names and all(n in out for n in names)  # every box is a group of the printed report
    assert _by_class(svg, "line", "edge transfer")


def test_furcate_log_placement_prints_the_report(tmp_path):
    import os
    import subprocess
    import sys

    script = textwrap.dedent("""
        import numpy as np
        import furcate
        from furcate.dtypes import TensorSpec
        from furcate.ir.builder import GraphBuilder
        from furcate.runtime.devices import Device, make_spec, simulated

        b = GraphBuilder()
        x = b.arg(TensorSpec((256, 512), "f32"), "x")
        w = b.constant(np.ones((512, 512), np.float32), name="w")
        y = b.op("dot_general", x, w, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
                 lhs_batching_dimensions=[], rhs_batching_dimensions=[])
        host = Device("cpu", make_spec("test-host", "cpu", {"f32": 50e9}, 20e9, 64e9, 3e-6), ("numpy",))
        exe = furcate.compile(b.finish([b.op("tanh", y)]), devices=[host, simulated("h100")])
        print("UNITS", *[d.unit for d in exe.placement.decisions])
    """)
    env = dict(os.environ, FURCATE_LOG="placement", FURCATE_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    units = out.stdout.split("UNITS", 1)[1].split()
    assert units and all(u in out.stderr for u in units)
    assert "estimated total" in out.stderr and "all on sim:h100" in out.stderr and "reason" in out.stderr


def test_a_long_device_name_is_never_cut_in_the_report():
    from furcate.compiler import placement_pipeline, run_pipeline
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder
    from furcate.passes.explain import report
    from furcate.runtime.devices import Device, Machine, make_spec

    long = "accelerator:very-long-name-0"
    host = Device("cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 3e-6), ("c", "numpy"))
    acc = Device(long, make_spec("test-acc", "gpu", {"f32": 1e15}, 3e12, 80e9, 5e-6), ("numpy",),
                 memory_domain=long)
    b = GraphBuilder()
    x = b.arg(TensorSpec((512, 512), "f32"), "x")
    y = b.op("tanh", b.op("dot_general", x, x, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
                          lhs_batching_dimensions=[], rhs_batching_dimensions=[]))
    prog = b.finish([y])
    plan = placement_pipeline(prog, {"placement": {"dot_general": long}}, Machine((host, acc)), run_pipeline)
    text = report(plan)
    lines = text.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("group"))
    rows = [line for line in lines if line.startswith("  gemm_0 [")]
    assert rows, text
    end = header.index(" cpu") + len(" cpu")  # the host's time column ends here, in every row
    for row in rows:
        assert row[end - 1] != " " and (len(row) == end or row[end] == " "), f"misaligned:\n{header}\n{row}"
