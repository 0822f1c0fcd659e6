"""lit configuration of furcate's textual IR tests (``// RUN: furcate opt %s ... | filecheck %s``).

Run with ``lit tests/ir_files -v`` from the project's virtual environment (or through
``tests/test_ir_files.py``). ``furcate`` is the venv's console script when installed,
otherwise a shim running ``python -m furcate`` from this checkout; ``filecheck`` is
the venv's. ``%python`` is the interpreter running lit.
"""

import os
import shutil
import stat
import sys

import lit.formats

config.name = "furcate-ir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(config.test_source_root))
config.test_exec_root = os.path.join(ROOT, ".cache", "lit")

bindir = os.path.dirname(sys.executable)
path = [bindir]
if not os.path.exists(os.path.join(bindir, "furcate")):
    shim_dir = os.path.join(config.test_exec_root, "bin")
    os.makedirs(shim_dir, exist_ok=True)
    shim = os.path.join(shim_dir, "furcate")
    with open(shim, "w") as f:
        f.write(f'#!/bin/sh\nexec "{sys.executable}" -m furcate "$@"\n')
    os.chmod(shim, os.stat(shim).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    path.insert(0, shim_dir)
config.environment["PATH"] = os.pathsep.join(path + [os.environ.get("PATH", "")])
config.environment["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
for var in ("HOME", "TMPDIR", "FURCATE_CACHE_DIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
config.substitutions.append(("%python", sys.executable))

if shutil.which("filecheck", path=config.environment["PATH"]) is None:
    lit_config.fatal("filecheck not found: install the 'filecheck' package into the environment running lit")
