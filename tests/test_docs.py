"""The docs are tested: every ```python block in docs/ runs (blocks of one page share a
namespace, in order), every op of the dialect is documented in docs/ir.md, every CLI
subcommand in docs/cli.md, and README's test command is the one .ci/run runs.

A block preceded by ``<!-- needs: torch -->`` (or jax) needs that framework and its furcate
frontend; it is skipped only while they are not installed.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

# what a "needs" marker requires: the framework and furcate's frontend for it
NEEDS = {
    "torch": ("torch", "furcate.frontend.torch_fx"),
    "jax": ("jax", "furcate.frontend.jaxpr"),
}

_BLOCK = re.compile(r"(?:<!--\s*needs:\s*(?P<needs>[\w, ]+?)\s*-->\s*\n)?```python\n(?P<code>.*?)```", re.S)


def python_blocks(text: str) -> list[tuple[int, set[str], str]]:
    """(line, needs, code) of every ```python block of a page."""
    out = []
    for m in _BLOCK.finditer(text):
        line = text.count("\n", 0, m.start("code")) + 1
        needs = {n.strip() for n in (m.group("needs") or "").split(",") if n.strip()}
        out.append((line, needs, m.group("code")))
    return out


def _missing(needs: set[str]) -> list[str]:
    missing = []
    for n in sorted(needs):
        assert n in NEEDS, f"unknown needs marker {n!r}; valid: {sorted(NEEDS)}"
        missing += [m for m in NEEDS[n] if importlib.util.find_spec(m) is None]
    return missing


def test_docs_exist():
    names = {p.name for p in PAGES}
    assert {"architecture.md", "ir.md", "cli.md", "torch.md", "jax.md"} <= names


def test_block_parser_finds_markers():
    text = "x\n<!-- needs: torch -->\n```python\na = 1\n```\n```python\nb = 2\n```\n```sh\nls\n```\n"
    assert python_blocks(text) == [(4, {"torch"}, "a = 1\n"), (7, set(), "b = 2\n")]


@pytest.mark.parametrize("page", [p for p in PAGES if "```python" in p.read_text()], ids=lambda p: p.name)
def test_python_examples_run(page, tmp_path, monkeypatch):
    blocks = python_blocks(page.read_text())
    assert blocks, f"{page.name}: a ```python block the parser does not see"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for line, needs, code in blocks:
        missing = _missing(needs)
        if missing:
            pytest.skip(f"{page.name}:{line} needs {', '.join(missing)}, not installed yet")
        try:
            exec(compile(code, f"{page}:{line}", "exec"), namespace)
        except Exception as e:
            pytest.fail(f"example at {page.name}:{line} failed: {type(e).__name__}: {e}")


def test_every_op_is_documented():
    from furcate.ir.dialect import ALL_OPS

    text = (DOCS / "ir.md").read_text()
    documented = set(re.findall(r"^\| `(furcate\.\w+)` \|", text, re.M))
    names = {op.name for op in ALL_OPS}
    assert names - documented == set(), "ops missing from docs/ir.md's table"
    assert documented - names == set(), "docs/ir.md documents ops the dialect does not have"


def test_every_cli_command_is_documented():
    from furcate.cli import COMMANDS

    text = (DOCS / "cli.md").read_text()
    for name in COMMANDS:
        assert re.search(rf"^## `furcate {name}", text, re.M), f"docs/cli.md has no section for `furcate {name}`"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:sh|bash|console)\n(.*?)```", readme, re.S)
    assert len(commands) >= 2, "README.md gives the set-up command and the test command"
    test_cmd = commands[1].strip()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1].strip() == test_cmd, f"README's test command {test_cmd!r} is not .ci/run's last line {ci[-1]!r}"
    assert "-c constraints.txt" in commands[0] and "-c constraints.txt" in "\n".join(ci)


def test_readme_demo_runs(tmp_path):
    """README's first command ends by running examples/demo.py: it must succeed and say what
    furcate did (its IR, stats, and the error against eager)."""
    import subprocess
    import sys

    for module in NEEDS["torch"]:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the demo needs {module}, not installed yet")
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True,
                       timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "furcate IR after" in r.stdout and "graphs_compiled: 1" in r.stdout
    assert "max |furcate - eager|" in r.stdout and "demo OK" in r.stdout


def test_readme_links_every_page():
    readme = (ROOT / "README.md").read_text()
    unlinked = [p.name for p in sorted(DOCS.glob("*.md")) if f"(docs/{p.name}" not in readme]
    assert not unlinked, f"README.md does not link {unlinked}"
