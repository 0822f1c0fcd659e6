"""Where Triton kernels run, how their source is loaded, and how they are launched.

Mode (decided once per process, see ``mode()``):

- ``TRITON_INTERPRET=1`` in the environment: Triton's interpreter runs the
  kernels on the CPU, on CPU torch tensors.
- otherwise, with a CUDA GPU (``torch.cuda.is_available()``): kernels run on
  CUDA tensors.
- otherwise: ``BackendUnavailable``. Triton reads ``TRITON_INTERPRET`` when
  it is imported, so the backend never sets it itself: set it in the
  environment before Python starts.

Every value a Triton executable holds is a torch tensor on ``device()`` (bool as
``torch.bool``; kernels see it as a ``uint8`` view). NumPy arrays are wrapped at
the edges (``as_tensor``: a view on the CPU, an upload on a GPU) and NumPy steps
see NumPy views of the tensors (``to_numpy``: a download on a GPU).

Generated source is written to ``<cache>/triton/src/fc_<sha256>.py`` (a
directory checked like every cache directory, ``runtime/cache.py``) and imported
from there (``@triton.jit`` needs a real source file).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import warnings

import numpy as np

from furcate.backends.base import BackendUnavailable
from furcate.backends.triton import launch
from furcate.backends.triton.codegen import Rendered
from furcate.diagnostics import log
from furcate.runtime.cache import cache_subdir, key_digest, read_cached_file, write_atomic

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


def device() -> str:
    """The torch device type the kernels run on: ``"cpu"`` (interpreter) or ``"cuda"``."""
    return "cuda" if mode() == "cuda" else "cpu"


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
            path = cache_subdir("triton", "src") / f"fc_{digest[:24]}.py"  # a checked directory of ours
            if read_cached_file(path) != source.encode():  # missing, different, or not ours: rewrite
                write_atomic(path, source.encode())
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
    """A torch view of a contiguous NumPy array (bf16 through an integer view)."""
    import ml_dtypes
    import torch

    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a).reshape(a.shape)  # (ascontiguousarray makes 0-d arrays 1-d)
    bf16 = a.dtype == ml_dtypes.bfloat16
    with warnings.catch_warnings():  # a read-only array (jax's): kernels never write their inputs
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        t = torch.from_numpy(a.view(np.int16) if bf16 else a)
    return t.view(torch.bfloat16) if bf16 else t


def to_numpy(t) -> np.ndarray:
    """A NumPy array of a torch tensor: a view of a CPU tensor, a download of a GPU one."""
    import ml_dtypes
    import torch

    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def is_tensor(x) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "device")


def as_tensor(x):
    """``x`` (a NumPy array or torch tensor) as a contiguous torch tensor on ``device()``:
    NumPy arrays are viewed on the CPU and uploaded on a GPU; tensors are used as they are
    (a copy only if not contiguous)."""
    t = x.detach() if is_tensor(x) else np_to_torch(np.asarray(x))
    if t.device.type != device():
        t = t.to(device())
    return t.contiguous()


def kernel_arg(t):
    """What a kernel receives for tensor ``t`` (bool as its ``uint8`` view: Triton's ``*u8``)."""
    import torch

    return t.view(torch.uint8) if t.dtype == torch.bool else t


def torch_dtype(dtype: str):
    """The torch dtype of a furcate dtype name."""
    import torch

    return {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16, "bf16": torch.bfloat16,
            "i1": torch.bool, "i8": torch.int8, "i32": torch.int32, "i64": torch.int64}[dtype]


# --------------------------------------------------------------------------
# launching


class Launcher:
    """The callable of one kernel step: ``(*input tensors) -> [new output tensors]``.

    ``rendered`` names the pointer arguments by kernel buffer; ``buffers`` are the kernel's
    buffers (inputs, outputs, constants); constants are moved to ``device()`` once."""

    def __init__(self, rendered: Rendered, source: str, buffers, const_data: dict, config: launch.Config | None = None):
        self.r = rendered
        self.fn = load(source, rendered.name)
        self.mode = mode()
        self.buffers = buffers
        self.in_idx = [i for i, b in enumerate(buffers) if b.role == "in"]
        self.out_idx = [i for i, b in enumerate(buffers) if b.role == "out"]
        self.consts = {i: kernel_arg(as_tensor(a)) for i, a in const_data.items()}
        self.config = config or launch.heuristic(rendered.kind, rendered.space, self.mode == "interpret")
        self.tuned = config is not None or not (rendered.kind == "gemm" and self.mode == "cuda")
        self.source = source
        self.empty = any(buffers[i].spec.numel == 0 for i in self.out_idx)
        # built once, not per call: output (shape, torch dtype), and per launch config its
        # grid and keyword arguments
        self._out_alloc = [(buffers[i].spec.shape, torch_dtype(buffers[i].spec.dtype)) for i in self.out_idx]
        self._device = device()
        self._launch_plans: dict[launch.Config, tuple] = {}

    def _outputs(self) -> list:
        import torch

        return [torch.empty(shape, dtype=dt, device=self._device) for shape, dt in self._out_alloc]

    def _args(self, ins, outs) -> list:
        by_buf = dict(zip(self.in_idx, ins))
        by_buf.update(zip(self.out_idx, outs))
        by_buf.update(self.consts)
        return [by_buf[i] for i in self.r.args]

    def _launch(self, args, cfg: launch.Config) -> None:
        plan = self._launch_plans.get(cfg)
        if plan is None:
            kwargs = cfg.kwargs()
            if self.mode == "cuda":
                kwargs.update(num_warps=cfg.num_warps, num_stages=cfg.num_stages)
            plan = self._launch_plans[cfg] = (self.fn[launch.grid(self.r.kind, self.r.space, cfg)], kwargs)
        fn, kwargs = plan
        fn(*args, **kwargs)

    def __call__(self, *ins) -> list:
        """Run the kernel on ``ins`` (torch tensors on ``device()``, or NumPy arrays, wrapped);
        returns new torch tensors."""
        outs = self._outputs()
        if self.empty:
            return outs
        targs = self._args([kernel_arg(as_tensor(a)) for a in ins], [kernel_arg(o) for o in outs])
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
