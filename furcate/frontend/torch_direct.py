"""The shortest call path of a compiled torch graph: one C kernel called on torch tensors.

Where a graph's program is a single C segment (``Executable.raw_entry``) that takes the
graph's tensor inputs in order and returns fresh, row-major results, a call needs no NumPy
views and no executable dispatch: each input's guard (a CPU ``torch.Tensor`` of the exact
shape and dtype, contiguous, no negative bit) is checked on the tensor itself, its data
pointer goes into the kernel's pointer array, each result is a new CPU tensor (the fast
strided allocator Inductor's wrappers use), and the kernel runs. Any input that does not pass
its guard makes ``__call__`` return None and the general path (``_Runner``) handles the call
(binding, copies, guard errors naming the argument, recompiles).

Results larger than ``SMALL_RESULT`` bytes take the general path, whose output pools recycle
big buffers (a fresh large allocation costs page faults on every call)."""

from __future__ import annotations

import numpy as np
import torch

try:  # the allocator Inductor's generated wrappers call; a plain empty_strided elsewhere
    from torch._C._dynamo.guards import _empty_strided_cpu as _alloc
except ImportError:  # pragma: no cover -- older or newer torch without it
    def _alloc(shape, stride, dtype):
        return torch.empty_strided(shape, stride, dtype=dtype)

try:  # torch's C++ tensor-metadata check (type, dispatch keys, dtype, device, sizes, strides)
    from torch._C._dynamo.guards import TensorGuards as _TensorGuards
except ImportError:  # pragma: no cover -- a torch without it: the Python checks alone
    _TensorGuards = None

SMALL_RESULT = 1 << 20  # bytes

_TORCH_OF = {np.dtype(k): v for k, v in (
    ("float32", torch.float32), ("float64", torch.float64), ("float16", torch.float16), ("bool", torch.bool),
    ("int8", torch.int8), ("uint8", torch.uint8), ("int16", torch.int16), ("int32", torch.int32),
    ("int64", torch.int64))}
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)


def _row_major(shape) -> tuple[int, ...]:
    out, s = [], 1
    for n in reversed(shape):
        out.append(s)
        s *= max(n, 1)
    return tuple(reversed(out))


class DirectCall:
    """``(args) -> results container or None`` for one single-kernel C executable.

    ``inputs``: [(graph argument position, shape, NumPy dtype)] in the kernel's order; ``outputs``:
    the kernel result each graph output is (distinct, in order); ``container``: tuple or list."""

    def __init__(self, raw, n_args: int, inputs, outputs, container):
        fn, ptrs, addr, lock, results = raw
        self.fn, self.ptrs, self.addr, self.lock = fn, ptrs, addr, lock
        self.n_args, self.container = n_args, container
        self.inputs = [(pos, torch.Size(shape), _TORCH_OF[np.dtype(dt)]) for pos, shape, dt in inputs]
        self.results = [(tuple(shape), _row_major(shape), _TORCH_OF[np.dtype(dt)]) for shape, dt in results]
        self.order = list(outputs)
        self.in_order = self.order == list(range(len(self.order)))
        self.positions = [pos for pos, _, _ in self.inputs]
        self.all_args = self.positions == list(range(n_args))
        self.seen = None  # TensorGuards of the first arguments that passed the Python checks

    @classmethod
    def build(cls, exe, n_args: int, inputs, outputs, container):
        """A DirectCall for ``exe`` (``inputs``: per executable argument) or None where it
        does not apply (not one C kernel, a
        dtype torch has no plain counterpart for, a large or repeated result)."""
        entry = exe.raw_entry()
        if entry is None:
            return None
        raw, reads = entry
        if len(set(outputs)) != len(outputs) or len(raw[4]) != len(outputs):
            return None
        inputs = [inputs[j] for j in reads]  # the kernel's inputs, in its order
        if any(np.dtype(dt) not in _TORCH_OF for _, _, dt in inputs):
            return None
        for shape, dt in raw[4]:
            if np.dtype(dt) not in _TORCH_OF or int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize > SMALL_RESULT:
                return None
        return cls(raw, n_args, inputs, outputs, container)

    def _checked(self, args):
        """The kernel's input tensors where each passes its guard, else None. Arguments with
        the metadata of ones that passed before (``seen``: one C++ check of all of them) skip
        the per-tensor Python checks; any others take them (and the first pass is recorded)."""
        ts = args if self.all_args else [args[p] for p in self.positions]
        seen = self.seen
        if seen is not None and seen.check(*ts):
            return ts
        for t, (_, shape, dtype) in zip(ts, self.inputs):
            # (no complex dtypes here, so no conjugate views)
            if type(t) not in _TENSOR_TYPES or t.dtype is not dtype or t.shape != shape or not t.is_cpu \
                    or not t.is_contiguous() or t.is_neg():
                return None
        if seen is None and _TensorGuards is not None:
            self.seen = _TensorGuards(*ts, dynamic_dims_sizes=[list(t.shape) for t in ts],
                                      dynamic_dims_strides=[list(t.stride()) for t in ts])
        return ts

    def __call__(self, args):
        if len(args) != self.n_args:
            return None
        keep = self._checked(args)
        if keep is None:
            return None
        ptrs, j = self.ptrs, 0
        outs = [_alloc(shape, stride, dtype) for shape, stride, dtype in self.results]
        with self.lock:
            for t in keep:
                ptrs[j] = t.data_ptr()
                j += 1
            for o in outs:
                ptrs[j] = o.data_ptr()
                j += 1
            self.fn(self.addr)
        if self.in_order:
            return outs if self.container is list else tuple(outs)
        return self.container(outs[k] for k in self.order)
