"""``furcate report`` turns a dump into one self-contained HTML page that a headless
browser renders: compiled graphs, splits and why, fused groups, placement, kernels, timings."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from furcate.cli import main
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.tools.dump import load_dump
from furcate.tools.report import render

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def model():
    b = GraphBuilder()
    x, w = b.arg(TensorSpec((8, 16), "f32")), b.arg(TensorSpec((16, 4), "f32"))
    h = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    t = b.op("tanh", h)
    return b.finish([b.op("reduce", b.op("exp", t), kind="sum", dimensions=[1])])


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    """A dump of the same model compiled for numpy, c and xla, placed over two devices, plus a
    torch graph that the frontend split around an op it leaves to eager."""
    root = tmp_path_factory.mktemp("dump")
    for target in ("numpy", "c", "xla", "triton"):  # triton: in its interpreter (tests/conftest.py)
        compile_program(model(), target, {"dump_dir": str(root), "name": f"mlp_{target}"})
    from furcate.runtime.devices import simulated

    compile_program(model(), "auto", {"dump_dir": str(root), "name": "mlp_placed",
                                      "devices": ["cpu", simulated("h100")],
                                      # both pinned: where the rest goes must not depend on the machine
                                      "placement": {"dot_general": "sim:h100", "reduce": "cpu"}})
    try:
        import torch

        from furcate.frontend.torch_backend import compile_fx_graph
    except ImportError:
        return root, False

    def f(x):
        return torch.nonzero(torch.tanh(x) > 0).sum() + torch.exp(x).sum()

    for _ in range(2):  # the same graph compiled twice (the partitioner rewrites the graph it is given)
        gm = torch.fx.experimental.proxy_tensor.make_fx(f, tracing_mode="real")(torch.randn(4, 4))
        compile_fx_graph(gm, "numpy", {"dump_dir": str(root)}, "split_me")
    return root, True


def test_load_dump_reads_every_graph(dump):
    root, with_torch = dump
    graphs = load_dump(root)
    names = [g.name for g in graphs]
    assert names[:5] == ["mlp_numpy", "mlp_c", "mlp_xla", "mlp_triton", "mlp_placed"]  # in compile order
    c = graphs[1]
    assert c.target == "c" and [s for s, _ in c.stages] == ["input", "canonicalize", "fuse"]
    assert [gr.kind for gr in c.groups()] == ["gemm", "reduction"]
    assert any(name.endswith(".stablehlo.mlir") for name, _, _ in graphs[2].kernels)
    assert graphs[4].placement_text and "sim:h100" in graphs[4].placement_text
    if with_torch:
        assert any(n.startswith("split_me_fused_") for n in names)
        assert any(g.captured and "torch.ops.aten" in g.captured for g in graphs)


def test_page_shows_splits_groups_placement_kernels_timings(dump):
    root, with_torch = dump
    page = render(load_dump(root))
    for heading in ("Compiled graphs", "Graph splits and why", "Fused groups", "Placement", "Kernels",
                    "Compile time", "IR after each pass"):
        assert f">{heading}" in page, heading
    assert 'class="tag" style="background:#b07aa1">gemm' in page  # the gemm group of the c graph
    assert "<svg" in page and "sim:h100" in page  # the placement picture, inline
    assert "stablehlo.dot_general" in page  # the xla kernel's source
    assert "pass:canonicalize" in page and "codegen:c" in page
    assert "furcate.tanh %" in page and "tensor&lt;8x16xf32&gt;" in page  # IR text, escaped
    assert not re.search(r"<(script|link|img)\b", page) and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # self-contained: nothing to load
    if with_torch:
        assert "Graph <b>split_me</b> (compile 1 of 2) was split" in page
        assert "nonzero" in page and "left to eager PyTorch" in page  # which op and why


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless browser: install Chromium (apt-get install -y chromium) to check the report renders")


def test_report_renders_in_headless_chromium(dump, tmp_path):
    browser = chromium()
    root, _ = dump
    out = tmp_path / "report.html"
    assert main(["report", str(root), "-o", str(out)]) == 0
    args = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    r = subprocess.run([*args, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    assert "<h2 id=\"overview\">Compiled graphs</h2>" in dom and dom.count("<section>") == len(load_dump(root))
    assert "mlp_placed" in dom and "<svg" in dom
    shot = tmp_path / "shot.png"
    r = subprocess.run([*args, f"--screenshot={shot}", "--window-size=1200,1600", out.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and shot.exists(), r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page with content, not a blank one


def test_cli_report_default_output(dump, capsys):
    root, _ = dump
    assert main(["report", str(root)]) == 0
    assert f"wrote {root / 'report.html'}" in capsys.readouterr().out
    assert (root / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert len(load_dump(root)) == len([d for d in root.iterdir() if d.is_dir()])  # report.html is no graph


def test_report_of_one_graph_directory(dump, tmp_path):
    root, _ = dump
    one = sorted(d for d in root.iterdir() if d.is_dir())[0]
    r = subprocess.run([sys.executable, "-m", "furcate", "report", str(one), "-o", str(tmp_path / "one.html")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "one.html").read_text().count("<section>") == 1


def _section(page: str, graph: str) -> str:
    """The HTML of one graph's section of the report."""
    start = page.index(f">{graph} <span")
    return page[start:page.index("</section>", start)]


def test_kernels_of_c_and_triton_are_shown(dump):
    page = render(load_dump(dump[0]))
    c = _section(page, "mlp_c")
    assert "<h3>Kernels (" in c and ".c (" in c and "wrote no kernel sources" not in c
    triton = _section(page, "mlp_triton")
    assert "<h3>Kernels (" in triton and "@triton.jit" in triton
    assert "numpy runs each op directly" in _section(page, "mlp_numpy")


def test_fused_groups_show_the_device_that_ran_them(dump):
    graphs = load_dump(dump[0])
    c = graphs[1]
    assert {gr.device for gr in c.groups()} == {"default"} and c.run_on() == "cpu (c)"
    section = _section(render(graphs), "mlp_c")
    assert "<td>cpu (c)</td>" in section and "<td>default</td>" not in section
    placed = _section(render(graphs), "mlp_placed")
    assert "<td>sim:h100</td>" in placed and "<td>cpu</td>" in placed  # placed groups keep their device


def test_placed_graph_dumps_placed_ir_parts_and_codegen_time(dump):
    placed = next(g for g in load_dump(dump[0]) if g.name == "mlp_placed")
    stage, text = placed.stages[-1]
    assert stage == "place" and "furcate.transfer" in text and 'device = "sim:h100"' in text
    assert [name for name, _ in placed.parts] == ["part_00_sim-h100.mlir", "part_02_cpu.mlir"] or all(
        "part_" in name for name, _ in placed.parts)
    assert {name.split("_", 2)[2] for name, _ in placed.parts} == {"sim-h100.mlir", "cpu.mlir"}
    assert all("func.func @main" in text for _, text in placed.parts)
    stages = placed.timing["stages"]
    assert {"codegen:numpy@sim:h100", "codegen:c@cpu"} <= set(stages)
    assert placed.timing["codegen_s"] == pytest.approx(stages["codegen:numpy@sim:h100"] + stages["codegen:c@cpu"],
                                                       abs=1e-5)
    assert placed.timing["codegen_s"] > 0 and placed.timing["passes_s"] > 0
    page = _section(render(load_dump(dump[0])), "mlp_placed")
    assert "Per-device sub-programs (2)" in page and "part_" in page


def test_split_is_reported_per_compile(dump):
    root, with_torch = dump
    if not with_torch:
        pytest.skip("torch is not installed")
    from furcate.tools.report import split_instances

    instances = split_instances(load_dump(root))
    assert [whole for whole, _ in instances] == ["split_me", "split_me"]
    n = len(instances[0][1])
    assert n >= 2 and all(len(names) == n for _, names in instances)
    page = render(load_dump(root))
    assert f"Graph <b>split_me</b> (compile 1 of 2) was split: {n} partition(s)" in page
    assert f"Graph <b>split_me</b> (compile 2 of 2) was split: {n} partition(s)" in page


def test_placement_legend_fits_the_picture(dump):
    placed = next(g for g in load_dump(dump[0]) if g.name == "mlp_placed")
    svg = re.search(r'<svg [^>]*width="(\d+)"', placed.placement_html)
    texts = [(float(x), t) for x, t in re.findall(r'<text x="([\d.]+)" y="[\d.]+">([^<]+)</text>',
                                                   placed.placement_html)]
    x, label = texts[-1]
    assert label == "transfer" and x + 8 * len(label) <= int(svg.group(1))  # the last legend entry is inside


def test_groups_of_a_graph_split_between_backends_name_both(tmp_path):
    """The C backend leaves argmax to a NumPy step: the groups' device says so (not "default")."""
    from furcate.compiler import compile_program
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder

    b = GraphBuilder("split")
    x = b.arg(TensorSpec((4, 8), "f32"), "x")
    t = b.op("tanh", x)
    compile_program(b.finish([t, b.op("argmax", t, dimension=1, index_dtype="i64")]), "c", {"dump_dir": str(tmp_path), "name": "split"})
    (g,) = load_dump(tmp_path)
    assert g.run_on() == "cpu (c+numpy)", g.steps()
    section = _section(render([g]), "split")
    assert "<td>cpu (c+numpy)</td>" in section and "<td>default</td>" not in section
