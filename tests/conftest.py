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
