"""``furcate report`` treats a dump directory as untrusted input (furcate/tools/report.py,
report_svg.py, dump.py): every string read from it is escaped, numbers are parsed, the
placement picture is parsed and re-rendered, links and FIFOs are never followed or opened,
and the report is never written through a symbolic link."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from furcate.cli import main
from furcate.tools.dump import DumpError, load_dump
from furcate.tools.report import render, write_report
from furcate.tools.report_svg import placement_svg

ROOT = Path(__file__).resolve().parents[2]
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"><svg onload=alert(3)>'
EVIL_SVG = (
    '<!DOCTYPE html><html><head><script>alert("head")</script></head><body>'
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" onload="alert(4)">'
    '<script>alert(5)</script><script href="data:,alert(6)"/>'
    '<foreignObject><img src=x onerror="alert(7)"></foreignObject>'
    '<a href="javascript:alert(8)"><text x="1" y="2">click</text></a>'
    '<g class="unit" data-name="&quot; onmouseover=&quot;alert(9)" data-device="cpu">'
    '<title>' + XSS + '</title><title>&lt;script&gt;alert(1)&lt;/script&gt;</title>'
    '<rect x="1" y="2" width="3" height="4" fill="javascript:alert(10)" style="background:url(x)" '
    'onclick="alert(11)"/>'
    '<text x="5" y="6" fill="#fff">' + XSS + '</text></g>'
    '<line x1="0" y1="0" x2="1" y2="1" stroke="#999" marker-end="url(javascript:alert(12))"/>'
    '<iframe src="javascript:alert(13)"></iframe>'
    '</svg><svg><script>alert(14)</script></svg></body></html>'
)
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "nav", "a", "p", "table", "tr",
                "th", "td", "span", "b", "ul", "li", "details", "summary", "pre", "section",
                "svg", "defs", "marker", "path", "line", "g", "rect", "text"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.events.append(("start", tag, tuple(attrs)))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        self.events.append(("text", data))


def events(page: str) -> list[tuple]:
    p = _Tags()
    p.feed(page)
    return p.events


def assert_inert(page: str) -> None:
    """No element or attribute of ``page`` could run script or load anything."""
    assert not re.search(r"<\s*(script|img|iframe|foreignobject|object|embed)\b", page, re.I)
    p = _Tags()
    p.feed(page)
    for tag, attrs in p.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("href", "src", "xlink:href") or (value or "").startswith("#"), (tag, name, value)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
            if name == "style":
                assert tag == "span" and re.fullmatch(r"(width:\d+px|background:#[0-9a-f]{3,6})", value), value


def crafted_dump(root: Path) -> Path:
    """A dump whose every file the report reads carries script payloads."""
    d = root / f"1_000_{XSS.replace('/', '')}"
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"name": XSS, "target": XSS, "ops": XSS, "started": XSS}))
    (d / "timing.json").write_text(json.dumps({"total_s": XSS, "passes_s": "1e999", "codegen_s": [XSS],
                                               "stages": {XSS: XSS, "ok": 0.002}}))
    (d / "stats.json").write_text(json.dumps({"ops_eager": {XSS: XSS, "aten.nonzero": 2},
                                              "eager_fallbacks": [XSS], "backend_fallbacks": XSS}))
    (d / "log.txt").write_text(f"graph_splits\tinfo\t{XSS}\nfallback\twarning\t{XSS}\n{XSS}\n")
    (d / "placement.txt").write_text(XSS)
    (d / "placement.html").write_text(EVIL_SVG)
    (d / "error.txt").write_text(XSS)
    (d / "captured.txt").write_text(XSS)
    (d / "executable.txt").write_text(f"Executable\n  {XSS} on {XSS} ({XSS}): [0] -> [1]\n")
    (d / "00_input.mlir").write_text(f"// {XSS}\nfunc.func @main() {{ {XSS} }}\n")  # does not parse
    (d / f"part_00_{XSS.replace('/', '')}.mlir").write_text(XSS)
    (d / f"kernel_{XSS.replace('/', '')}.c").write_text(f"/* {XSS} */\n")
    return d


def test_crafted_placement_html_is_not_pasted(tmp_path):
    d = tmp_path / "1_000_g"
    d.mkdir()
    (d / "meta.json").write_text('{"name": "g", "target": "c"}')
    (d / "placement.txt").write_text("groups on cpu")
    (d / "placement.html").write_text(EVIL_SVG)
    page = render(load_dump(tmp_path))
    assert_inert(page)
    assert "<svg" in page and "<rect" in page  # the drawing itself is kept
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # titles and labels show as text


def test_every_file_of_a_crafted_dump_is_escaped(tmp_path):
    crafted_dump(tmp_path)
    path, n = write_report(tmp_path)
    page = path.read_text()
    assert n == 1
    assert_inert(page)
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10  # shown, as text, from every file


def test_cli_report_of_a_crafted_dump(tmp_path, capsys):
    crafted_dump(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path), "-o", str(out)]) == 0
    assert_inert(out.read_text())


def test_real_placement_picture_survives_unchanged(tmp_path):
    from furcate.compiler import compile_program
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder
    from furcate.runtime.devices import simulated

    b = GraphBuilder()
    x, w = b.arg(TensorSpec((4, 8), "f32")), b.arg(TensorSpec((8, 4), "f32"))
    h = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    compile_program(b.finish([b.op("tanh", h)]), "numpy", {
        "dump_dir": str(tmp_path), "name": "placed", "devices": ["cpu", simulated("h100")],
        "placement": {"dot_general": "sim:h100"}})
    (g,) = load_dump(tmp_path)
    original = re.search(r"<svg.*?</svg>", g.placement_html, re.S).group(0)
    assert events(placement_svg(g.placement_html)) == events(original)  # the same elements, attributes, text
    assert_inert(render([g]))


def test_links_and_fifos_in_a_dump_are_not_followed(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("PRIVATE KEY MATERIAL")
    dump = tmp_path / "dump"
    d = dump / "1_000_g"
    d.mkdir(parents=True)
    (d / "meta.json").write_text('{"name": "g"}')
    (d / "kernel.c").symlink_to(secret)
    (d / "captured.txt").symlink_to(secret)
    (d / "linked_dir").symlink_to(tmp_path)
    (dump / "1_001_linked").symlink_to(d)  # a graph directory that is a link
    os.mkfifo(d / "log.txt")  # opening a FIFO for reading would block for ever
    os.mkfifo(d / "k2.c")
    code = ("import sys; from furcate.tools.report import write_report; "
            f"print(write_report({str(dump)!r})[1])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "1", r.stderr
    page = (dump / "report.html").read_text()
    assert "PRIVATE KEY" not in page and "kernel.c" in page


def test_report_is_never_written_through_a_symlink(tmp_path):
    victim = tmp_path / "bashrc"
    victim.write_text("export KEEP=1\n")
    dump = tmp_path / "dump"
    crafted_dump(dump)
    (dump / "report.html").symlink_to(victim)
    path, _ = write_report(dump)
    assert victim.read_text() == "export KEEP=1\n"
    assert not path.is_symlink() and path.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("name,text,match", [
    ("meta.json", "[1, 2]", "expected a JSON object"),
    ("timing.json", '"<script>"', "expected a JSON object"),
    ("stats.json", "[" * 100000, "JSON"),
])
def test_json_that_is_not_an_object_is_a_clear_error(tmp_path, name, text, match):
    d = tmp_path / "1_000_g"
    d.mkdir()
    (d / "timing.json").write_text("{}")
    (d / name).write_text(text)
    with pytest.raises(DumpError, match=match):
        load_dump(tmp_path)
