"""Packaging: what `pip install` registers, what `import furcate` costs, and that
constraints.txt pins exactly the tested set within pyproject's ranges."""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_import_furcate_imports_neither_torch_nor_jax():
    r = python("import sys, furcate, furcate.cli, furcate.compiler\n"
               "furcate.cli.build_parser()\n"
               "print(sorted(m for m in ('torch', 'jax', 'jaxlib', 'triton') if m in sys.modules))")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_python_m_furcate_help():
    r = subprocess.run([sys.executable, "-m", "furcate", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for command in ("opt", "compile", "run"):
        assert re.search(rf"^\s+{command}\s", r.stdout, re.M), r.stdout


def test_console_script_entry_point():
    (ep,) = [e for e in md.entry_points(group="console_scripts") if e.name == "furcate"]
    assert ep.value == "furcate.cli:main"
    from furcate.cli import main

    assert ep.load() is main


def test_torch_dynamo_backend_entry_point():
    (ep,) = [e for e in md.entry_points(group="torch_dynamo_backends") if e.name == "furcate"]
    assert ep.value == PYPROJECT["project"]["entry-points"]["torch_dynamo_backends"]["furcate"]
    module = ep.value.split(":")[0]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} not there yet")
    assert callable(ep.load())


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"constraints.txt must pin exactly: {line!r}"
            pins[_norm(req.name)] = Version(spec.version)
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra, items in project["optional-dependencies"].items():
        reqs += [Requirement(r) for r in items if not r.startswith("furcate[")]
    return reqs


def test_constraints_pin_every_dependency_within_its_range():
    pins = _pins()
    for req in _requirements():
        name = _norm(req.name)
        assert name in pins, f"{req.name} is a dependency but constraints.txt does not pin it"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {req.name}=={pins[name]} outside pyproject's range {req.specifier}"


def test_installed_versions_are_the_pinned_ones():
    mismatched = []
    for name, pinned in _pins().items():
        try:
            installed = Version(md.version(name))
        except md.PackageNotFoundError:
            continue  # pinned for an extra that is not installed here
        if Version(installed.public) != pinned:  # torch 2.13.0+cpu satisfies ==2.13.0
            mismatched.append(f"{name}: installed {installed}, pinned {pinned}")
    assert not mismatched, "; ".join(mismatched)


def test_torch_is_pinned_to_the_local_cpu_build():
    assert _pins()["torch"] == Version("2.13.0")
