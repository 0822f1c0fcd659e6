import os
import sys

# Make sure `import tests.x` resolves to this project's tests (xdsl ships a top-level `tests`).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
# Triton reads TRITON_INTERPRET when it is imported: tests run Triton kernels in its interpreter
# (GPU-compile tests run in subprocesses without it, see tests/backends/test_triton_compile.py)
os.environ.setdefault("TRITON_INTERPRET", "1")
os.environ.setdefault("TRITON_CACHE_DIR", os.path.join(ROOT, ".cache", "triton"))
os.environ.setdefault("FURCATE_CACHE_DIR", os.path.join(ROOT, ".cache", "furcate-test"))

# Hypothesis tests draw the same examples on every run (CI must not be flaky); `furcate fuzz`
# explores randomly. HYPOTHESIS_PROFILE=random explores in the test suite too.
from hypothesis import settings  # noqa: E402

settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("random", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
