"""Long differential fuzzing runs (``python benchmarks/fuzz.py --examples 2000``).

The same driver as ``furcate fuzz`` (``furcate/tools/fuzz.py``), with a default
budget meant for a nightly run rather than the test suite's bounded examples.
"""

from __future__ import annotations

import sys

from furcate.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not any(a.startswith("--examples") for a in args):
        args += ["--examples", "1000"]
    if not any(a.startswith("--max-ops") for a in args):
        args += ["--max-ops", "10"]
    sys.exit(main(["fuzz", *args]))
