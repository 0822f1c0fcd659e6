"""Where Triton kernels run, how their source is loaded, and how they are launched.

Mode (decided once per process, see ``mode()``):

- ``TRITON_INTERPRET=1`` in the environment: Triton's interpreter runs the
  kernels on the CPU, on CPU torch tensors that view the NumPy arrays
  (``torch.from_numpy``, no copies). Steps take and return NumPy arrays.
- otherwise, with a CUDA GPU (``torch.cuda.is_available()``): kernels run on
  CUDA tensors. Inputs are uploaded once per call, intermediates stay on the
  GPU between Triton steps, results are downloaded at the end (and around
  NumPy fallback steps).
- otherwise: ``BackendUnavailable``. Triton reads ``TRITON_INTERPRET`` when
  it is imported, so the backend never sets it itself: set it in the
  environment before Python starts.

Generated source is written to ``$FURCATE_CACHE_DIR/triton/src/<sha256>.py``
and imported from there (``@triton.jit`` needs a real source file).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading

import numpy as np

from furcate.backends.base import BackendUnavailable
from furcate.backends.triton import launch
from furcate.backends.triton.codegen import Rendered
from furcate.diagnostics import log
from furcate.runtime.cache import cache_dir, key_digest

_mode: str | None = None
_lock = threading.Lock()
_modules: dict[str, object] = {}

INTERPRET_HINT = ("set TRITON_INTERPRET=1 in the environment before starting Python (Triton reads it when it "
                  "is imported) to run Triton kernels on the CPU in Triton's interpreter")


def mode() -> str:
    """``"interpret"`` or ``"cuda"``; raises ``BackendUnavailable`` when neither is possible."""
    global _mode
    if _mode is not None:
        return _mode
    try:
        import triton  # noqa: F401
        import torch
    except ImportError as e:
        raise BackendUnavailable(f"triton backend needs the triton and torch packages: {e}") from None
    if os.environ.get("TRITON_INTERPRET", "") == "1":
        _mode = "interpret"
    elif torch.cuda.is_available():
        _mode = "cuda"
    else:
        raise BackendUnavailable(f"triton backend: no CUDA GPU on this machine; {INTERPRET_HINT}")
    log("codegen").debug("triton backend runs in %s mode", _mode)
    return _mode


def device_name() -> str:
    import torch

    if mode() == "cuda":
        return torch.cuda.get_device_name()
    return "interpreter"


def load(source: str, fn_name: str):
    """The ``@triton.jit`` function ``fn_name`` of a generated module."""
    digest = key_digest(source)
    with _lock:
        mod = _modules.get(digest)
        if mod is None:
            d = cache_dir() / "triton" / "src"
            d.mkdir(parents=True, exist_ok=True)
            path = d / f"fc_{digest[:24]}.py"
            if not path.exists() or path.read_text() != source:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(source)
                tmp.replace(path)
            name = f"furcate_triton_{digest[:24]}"
            spec = importlib.util.spec_from_file_location(name, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            spec.loader.exec_module(mod)
            _modules[digest] = mod
    return getattr(mod, fn_name)


# --------------------------------------------------------------------------
# NumPy <-> torch


def np_to_torch(a: np.ndarray):
    """A torch view of a contiguous NumPy array (bf16 and bool through integer views)."""
    import ml_dtypes
    import torch

    a = np.ascontiguousarray(a)
    if a.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    if a.dtype == np.bool_:
        return torch.from_numpy(a.view(np.uint8))
    return torch.from_numpy(a)


def torch_to_np(t, np_dtype) -> np.ndarray:
    import ml_dtypes
    import torch

    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    a = t.numpy()
    return a.view(np.bool_) if np.dtype(np_dtype) == np.bool_ else a


def upload(a: np.ndarray):
    return np_to_torch(a).to("cuda", non_blocking=False)


# --------------------------------------------------------------------------
# launching


class Launcher:
    """The callable of one kernel step: ``(*input arrays or tensors) -> [outputs]``.

    ``rendered`` names the pointer arguments by kernel buffer; ``out_specs`` are the
    kernel's output buffers, ``consts`` its constant buffers (uploaded once)."""

    def __init__(self, rendered: Rendered, source: str, buffers, const_data: dict, config: launch.Config | None = None):
        self.r = rendered
        self.fn = load(source, rendered.name)
        self.mode = mode()
        self.buffers = buffers
        self.in_idx = [i for i, b in enumerate(buffers) if b.role == "in"]
        self.out_idx = [i for i, b in enumerate(buffers) if b.role == "out"]
        self.consts = {i: (upload(a) if self.mode == "cuda" else np_to_torch(a)) for i, a in const_data.items()}
        self.config = config or launch.heuristic(rendered.kind, rendered.space, self.mode == "interpret")
        self.tuned = config is not None or not (rendered.kind == "gemm" and self.mode == "cuda")
        self.source = source
        self.empty = any(buffers[i].spec.numel == 0 for i in self.out_idx)

    def _outputs(self):
        import torch

        outs = []
        for i in self.out_idx:
            spec = self.buffers[i].spec
            if self.mode == "cuda":
                dt = np_to_torch(np.empty(0, spec.np_dtype)).dtype
                outs.append(torch.empty(spec.shape, dtype=dt, device="cuda"))
            else:
                outs.append(np.empty(spec.shape, spec.np_dtype))
        return outs

    def _args(self, ins, outs) -> list:
        by_buf = dict(zip(self.in_idx, ins))
        by_buf.update(zip(self.out_idx, outs))
        by_buf.update(self.consts)
        return [by_buf[i] for i in self.r.args]

    def _launch(self, args, cfg: launch.Config) -> None:
        g = launch.grid(self.r.kind, self.r.space, cfg)
        if self.mode == "cuda":
            self.fn[g](*args, **cfg.kwargs(), num_warps=cfg.num_warps, num_stages=cfg.num_stages)
        else:
            self.fn[g](*args, **cfg.kwargs())

    def __call__(self, *ins):
        outs = self._outputs()
        if self.empty:
            return outs
        if self.mode == "interpret":
            targs = self._args([np_to_torch(a) for a in ins], [np_to_torch(o) for o in outs])
        else:
            targs = self._args(list(ins), outs)
        if not self.tuned:
            self._autotune(targs)
        self._launch(targs, self.config)
        return outs

    def _autotune(self, args) -> None:
        import triton
        from triton.testing import do_bench

        key = launch.TUNE_CACHE.key(self.source, device_name(), triton.__version__)
        cfg = launch.TUNE_CACHE.get(key)
        if cfg is None:
            best = None
            for c in launch.gemm_candidates(self.r.space):
                try:
                    t = do_bench(lambda c=c: self._launch(args, c), warmup=5, rep=20)
                except Exception as e:  # a tile that does not fit this GPU (shared memory, registers)
                    log("codegen").debug("triton autotune: %s skipped: %s", c, e)
                    continue
                if best is None or t < best[0]:
                    best = (t, c)
            cfg = best[1] if best else self.config
            launch.TUNE_CACHE.put(key, cfg)
            log("codegen").debug("triton autotune %s: %s", self.r.name, cfg)
        self.config, self.tuned = cfg, True
