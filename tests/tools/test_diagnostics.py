"""FURCATE_LOG topics each log something useful from the code that exists, and a dump
directory holds, per compiled graph, the captured graph, the IR after each pass, kernel
sources, a per-stage timing breakdown and the compile's log."""

from __future__ import annotations

import json
import logging
import uuid

import numpy as np
import pytest

from furcate import diagnostics
from furcate.backends import BackendUnavailable, get_backend
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close


def program(cols: int = 8):
    """x*x -> tanh -> row sum, and the tanh: one reduction fusion on backends that fuse."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, cols), "f32"))
    t = b.op("tanh", b.op("mul", x, x))
    return b.finish([b.op("reduce", t, kind="sum", dimensions=[1]), t])


def _need(target):
    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")


@pytest.fixture
def records():
    """Every record of every furcate topic, captured at DEBUG for the test's duration."""
    got: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = got.append
    base = logging.getLogger("furcate")
    loggers = [logging.getLogger(f"furcate.{t}") for t in diagnostics.TOPICS]
    old = [lg.level for lg in loggers]
    diagnostics.log("graph")  # configure the handlers first
    base.addHandler(handler)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    yield got
    base.removeHandler(handler)
    for lg, lvl in zip(loggers, old):
        lg.setLevel(lvl)


def messages(records, topic: str) -> list[str]:
    return [r.getMessage() for r in records if r.name == f"furcate.{topic}"]


def test_compile_logs_graph_fusion_codegen_timing(records):
    _need("c")
    compile_program(program(), "c", {"name": "logged"})
    graph = messages(records, "graph")
    assert any("logged: input IR for c" in m and "furcate.tanh" in m for m in graph)
    assert any(m.startswith("compiled logged for c:") for m in graph)
    assert any("fusion reduction on" in m and "tanh" in m and "reduce" in m for m in messages(records, "fusion"))
    assert any("Executable logged [c]" in m for m in messages(records, "codegen"))
    timing = messages(records, "timing")
    assert any(m.startswith("pass:fuse:") for m in timing) and any(m.startswith("codegen:c:") for m in timing)


def test_cache_topic_logs_miss_then_hit(records, tmp_path, monkeypatch):
    _need("c")
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    cols = 8 + uuid.uuid4().int % 500  # a kernel this process has not built yet
    compile_program(program(cols), "c")
    from furcate.backends.c import build

    build._LIBS.clear()  # forget the in-process library so the disk cache is asked again
    compile_program(program(cols), "c")
    cache = messages(records, "cache")
    assert any(m.startswith("miss ") for m in cache) and any(m.startswith("hit ") for m in cache), cache


def test_placement_and_device_splits_are_logged(records):
    from furcate.runtime.devices import simulated

    b = GraphBuilder()
    x, w = b.arg(TensorSpec((256, 256), "f32")), b.arg(TensorSpec((256, 256), "f32"))
    h = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    compile_program(b.finish([b.op("tanh", h)]), "auto",
                    {"devices": ["cpu", simulated("h100")], "placement": {"dot_general": "sim:h100"}})
    assert any("placed main on" in m for m in messages(records, "placement"))
    assert any("split over devices" in m and "sim:h100" in m for m in messages(records, "graph_splits"))


def test_torch_topics_recompiles_splits_fallback(records):
    torch = pytest.importorskip("torch")
    pytest.importorskip("furcate.frontend.torch_backend")
    from furcate.frontend.torch_backend import compile_fx_graph

    def f(x):
        return torch.nonzero(torch.tanh(x) > 0).sum() + x.sum()

    gm = torch.fx.experimental.proxy_tensor.make_fx(f, tracing_mode="real")(torch.randn(4, 4))
    compile_fx_graph(gm, "numpy", {}, "split_me")
    assert any("split_me: " in m and "partition(s) compiled by furcate" in m
               for m in messages(records, "graph_splits"))
    model = torch.compile(lambda x: torch.tanh(x) * 2, backend="furcate", options={"target": "numpy"},
                          dynamic=False)
    model(torch.randn(3))
    model(torch.randn(5))
    assert messages(records, "graph")  # every compiled graph says so


def test_stderr_shows_only_enabled_topics_and_warnings():
    diagnostics.log("graph")
    handler = next(h for h in logging.getLogger("furcate").handlers if isinstance(h, logging.StreamHandler))
    shown = handler.filters[0]

    def rec(topic, level):
        return logging.LogRecord(f"furcate.{topic}", level, __file__, 1, "m", None, None)

    was_enabled = "codegen" in diagnostics._enabled
    diagnostics._enabled.discard("codegen")
    assert not shown(rec("codegen", logging.DEBUG))
    assert shown(rec("fallback", logging.WARNING))
    diagnostics.enable_logging("codegen")
    try:
        assert shown(rec("codegen", logging.DEBUG))
    finally:
        if not was_enabled:
            diagnostics._enabled.discard("codegen")


# --------------------------------------------------------------------------
# the dump directory


def graph_dir(root):
    dirs = [d for d in root.iterdir() if d.is_dir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def test_dump_holds_ir_per_pass_timing_log_and_meta(tmp_path):
    from furcate.options import CompileOptions

    exe = compile_program(program(), "numpy", CompileOptions(dump_dir=str(tmp_path), name="g",
                                                             captured=lambda: "captured text"))
    d = graph_dir(tmp_path)
    names = {p.name for p in d.iterdir()}
    assert {"00_input.mlir", "01_canonicalize.mlir", "02_fuse.mlir", "captured.txt", "executable.txt",
            "timing.json", "meta.json", "stats.json", "log.txt"} <= names
    assert (d / "captured.txt").read_text() == "captured text"
    timing = json.loads((d / "timing.json").read_text())
    assert {"pass:canonicalize", "pass:fuse", "codegen:numpy"} <= set(timing["stages"])
    assert timing["total_s"] >= timing["passes_s"] > 0
    meta = json.loads((d / "meta.json").read_text())
    assert meta["name"] == "g" and meta["target"] == "numpy" and meta["steps"] == len(exe.steps)
    log = (d / "log.txt").read_text()
    assert "graph\tdebug\tcompiled g for numpy" in log  # recorded even though FURCATE_LOG is off
    x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(4, 8)
    assert_close(exe(x)[0], np.tanh(x * x).sum(1), accumulated=True)


def test_dump_env_var_and_xla_kernel_source(tmp_path, monkeypatch):
    _need("xla")
    monkeypatch.setenv("FURCATE_DUMP_DIR", str(tmp_path))
    compile_program(program(), "xla", {"name": "k"})
    d = graph_dir(tmp_path)
    assert "stablehlo" in (d / "k.stablehlo.mlir").read_text()
    assert "xla:compile" in json.loads((d / "timing.json").read_text())["stages"]


def test_dump_kernel_hook_writes_into_the_current_graph(tmp_path):
    dumper = diagnostics.Dumper(str(tmp_path), "hooked")
    diagnostics.dump_kernel("outside.c", "int x;")  # no graph being compiled: nothing written
    with dumper.active():
        diagnostics.dump_kernel("k/0.c", "int y;")
    assert [p.name for p in dumper.dir.iterdir()] == ["k_0.c"]


def test_dump_holds_c_kernel_sources(tmp_path):
    _need("c")
    compile_program(program(), "c", {"dump_dir": str(tmp_path), "name": "ck"})
    (src,) = graph_dir(tmp_path).glob("*.c")
    assert "fc_ck_0" in src.read_text()  # the kernel function, even when the library came from the cache


def test_failed_compile_writes_error_and_log(tmp_path, monkeypatch):
    from furcate.backends.numpy import NumpyBackend
    from furcate.errors import CompileError

    def boom(self, program, options):
        raise CompileError("numpy backend: no kernel for op furcate.tanh (test)")

    monkeypatch.setattr(NumpyBackend, "compile", boom)
    with pytest.raises(CompileError):
        compile_program(program(), "numpy", {"dump_dir": str(tmp_path)})
    d = graph_dir(tmp_path)
    assert "CompileError: numpy backend: no kernel for op furcate.tanh" in (d / "error.txt").read_text()
    assert "timing\tdebug\tpass:fuse" in (d / "log.txt").read_text()


def test_torch_dump_has_the_fx_graph(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("furcate.frontend.torch_backend")
    model = torch.compile(lambda x: torch.tanh(x) * 2, backend="furcate",
                          options={"target": "numpy", "dump_dir": str(tmp_path)})
    model(torch.randn(3))
    captured = graph_dir(tmp_path) / "captured.txt"
    assert "torch.ops.aten.tanh" in captured.read_text()


def test_eager_and_backend_fallbacks_are_separate_stats(tmp_path):
    """stats() keeps ops a frontend left to the framework apart from ops a backend handed to
    numpy; the report lists both kinds under their own headings."""
    diagnostics.stats(reset=True)
    diagnostics.record_eager_fallback("aten.nonzero.default left to eager PyTorch: data-dependent shape")
    diagnostics.record_backend_fallback("c backend: furcate.cumulative runs on numpy (no C rendering)")
    st = diagnostics.stats()
    assert "fallbacks" not in st
    assert st["eager_fallbacks"] == ["aten.nonzero.default left to eager PyTorch: data-dependent shape"]
    assert st["backend_fallbacks"] == ["c backend: furcate.cumulative runs on numpy (no C rendering)"]
    compile_program(program(), "numpy", {"dump_dir": str(tmp_path), "name": "fb"})
    assert diagnostics.stats(reset=True)["backend_fallbacks"] == st["backend_fallbacks"]
    assert diagnostics.stats()["eager_fallbacks"] == [] == diagnostics.stats()["backend_fallbacks"]
    from furcate.tools.dump import load_dump
    from furcate.tools.report import render

    page = render(load_dump(tmp_path))
    why = page.split("<h3>Why</h3>")[1].split("</ul>")[0]
    other = page.split("<h3>Ops run on another backend</h3>")[1].split("</ul>")[0]
    assert "aten.nonzero.default left to eager" in why and "cumulative" not in why
    assert "furcate.cumulative runs on numpy" in other and "nonzero" not in other
