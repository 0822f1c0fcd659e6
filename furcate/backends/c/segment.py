"""A segment: consecutive C kernels compiled into one shared library with one
entry point, its memory plan, and the callable the ``Executable`` runs.

Memory plan (per segment):
- a value a kernel produces and only later kernels of the segment read lives
  in the workspace arena, planned by live range; a kernel writes over an
  input's block in place when the input dies there and every read of it is at
  the element being written;
- a value the program returns comes from an ``OutputPool`` (recycled only
  once the caller has dropped it);
- a value read outside the segment (by a NumPy step or a later segment) gets
  its own buffer, kept across calls.
Graph inputs are only ever read.

Calling: the argument pointers go into one ``void*`` array, bound once; per
call only the input and output pointers are written, then one ctypes call.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
from xdsl.ir import SSAValue

from furcate.backends.c.blas import find_blas
from furcate.backends.c.build import build_library, is_small
from furcate.backends.c.emit import render
from furcate.backends.c.render import CTYPE
from furcate.backends.c.units import KUnit
from furcate.backends.kernel.desc import Gather, Load
from furcate.diagnostics import dump_kernel
from furcate.ir.dialect import spec_of
from furcate.runtime.buffers import Arena, OutputPool


def _nbytes(v: SSAValue) -> int:
    s = spec_of(v)
    return s.numel * s.np_dtype.itemsize


def _in_place_ok(k, in_buf: int, out_buf: int) -> bool:
    """May output ``out_buf`` be written over input ``in_buf``'s memory?"""
    if getattr(k, "window", None) is not None:
        return False  # a window kernel's accumulator is written before its epilogue reads the inputs
    if k.dot is not None and (k.dot_in_place or in_buf in (k.dot.lhs.buffer, k.dot.rhs.buffer)):
        # an in-place accumulator is written by the GEMM before the epilogue reads the input
        return False
    store = next(s for s in k.stores if s.buffer == out_buf)
    if len(k.stores) > 1:
        return False
    if any(isinstance(n, Gather) and n.buffer == in_buf for n in k.nodes):
        return False  # read at data-dependent positions
    return all(n.offset == store.offset for n in k.nodes if isinstance(n, Load) and n.buffer == in_buf)


class Segment:
    """Plans, renders and binds consecutive ``KUnit``s.

    ``external``: roots read from outside (pointers set per call, in this order);
    ``returned``: roots handed out (pooled, fresh per call unless dropped);
    ``kept``: roots read by later steps (own buffers, same every call)."""

    def __init__(self, units: list[KUnit], root, external_use: set, returned_roots: set, name: str):
        self.units = units
        self.name = name
        produced: list[SSAValue] = []
        for u in units:
            produced += [root(o) for o in u.outputs]
        prod_set = set(produced)
        self.external: list[SSAValue] = []
        for u in units:
            for v in u.inputs:
                r = root(v)
                if r not in prod_set and r not in self.external:
                    self.external.append(r)
        self.returned = [r for r in dict.fromkeys(produced) if r in returned_roots]
        self.kept = [r for r in dict.fromkeys(produced) if r in external_use and r not in returned_roots]
        # pointer slots: external, returned, kept, workspace
        self.slot: dict[SSAValue, int] = {}
        for r in self.external + self.returned + self.kept:
            self.slot[r] = len(self.slot)
        self.ws_slot = len(self.slot)
        self._plan(root)
        self.source = self._render(root)

    def _plan(self, root) -> None:
        last: dict[SSAValue, int] = {}
        for i, u in enumerate(self.units):
            for v in u.inputs:
                last[root(v)] = i
        arena = Arena()
        self.inplace: list[set[int]] = []
        self.acc_off: dict[int, int] = {}
        for i, u in enumerate(self.units):
            k = u.kernel
            alias_bufs: set[int] = set()
            ins = [root(v) for v in u.inputs]
            outs = [root(o) for o in u.outputs]
            n_in = len(ins)
            for j, o in enumerate(outs):
                if o in self.slot:
                    continue
                done = False
                for bi, r in enumerate(ins):
                    if (r in arena.sizes and last.get(r) == i and
                            _nbytes(r) == _nbytes(o) and ins.count(r) == 1 and _in_place_ok(k, bi, n_in + j)):
                        arena.take_over(o, r)
                        alias_bufs |= {bi, n_in + j}
                        done = True
                        break
                if not done:
                    arena.alloc(o, _nbytes(o))
            if getattr(k, "window", None) is not None:  # convolution / pooling (window.py)
                if k.dot_in_place:
                    alias_bufs |= {k.acc_index, n_in}
                elif k.acc_bytes:
                    acc = ("acc", i)
                    self.acc_off[i] = arena.alloc(acc, k.acc_bytes)
                    arena.release(acc)
            elif k.dot is not None:
                if k.dot_in_place:
                    alias_bufs |= {k.dot.acc, n_in}
                else:
                    acc = ("acc", i)
                    self.acc_off[i] = arena.alloc(acc, k.buffers[k.dot.acc].spec.numel * 8)
                    arena.release(acc)
            for r in set(ins):
                if last.get(r) == i and r in arena.sizes:
                    arena.release(r)
            self.inplace.append(alias_bufs)
        self.arena = arena

    def _ptr(self, r) -> str:
        if r in self.slot:
            return f"p[{self.slot[r]}]"
        return f"(ws + {self.arena.offsets[r]})"

    def _render(self, root) -> str:
        parts = []
        blas = find_blas()
        if any(u.kernel.dot is not None or u.kernel.kind == "conv" for u in self.units) and blas is not None:
            parts.append(blas.header())
        calls = []
        self.kernels: list[tuple[str, str, bool]] = []  # (function name, C source, small), each once
        same: dict[str, str] = {}  # source with its name blanked -> the function already rendered
        for i, u in enumerate(self.units):
            k = u.kernel
            fname = f"{self.name}_k{i}"
            text = render(k, fname, frozenset(self.inplace[i]))
            blank = text.replace(fname, "@")
            if blank in same:  # the same kernel again (repeated layers): call the first copy
                fname = same[blank]
            else:
                same[blank] = fname
                self.kernels.append((fname, text, is_small(k)))
            args = []
            ins = [root(v) for v in u.inputs]
            outs = [root(o) for o in u.outputs]
            for bi, b in enumerate(k.buffers):
                t = CTYPE[b.spec.dtype]
                if b.role == "const":
                    continue
                if b.role == "in":
                    args.append(f"(const {t} *){self._ptr(ins[bi])}")
                elif b.role == "out":
                    args.append(f"({t} *){self._ptr(outs[bi - len(ins)])}")
                else:  # acc
                    ptr = self._ptr(outs[0]) if k.dot_in_place or i not in self.acc_off else f"(ws + {self.acc_off[i]})"
                    args.append(f"({t} *){ptr}")
            calls.append(f"    {fname}({', '.join(args)});")
        self.header = "\n".join(parts)
        self.entry = (f"void {self.name}(void **p) {{\n    char *ws = (char *)p[{self.ws_slot}];\n"
                      + "\n".join(calls) + "\n}\n")
        return "\n".join([*parts, *(text for _, text, _ in self.kernels), self.entry])

    def bind(self) -> "SegmentCall":
        dump_kernel(f"{self.name}.c", self.source)
        lib = build_library(self.source, self.name, (self.header, self.kernels, self.entry))
        return SegmentCall(self, getattr(lib, self.name), lib)


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


_from_buffer = ctypes.c_char.from_buffer
_addressof = ctypes.addressof


def _input_ptr(a: np.ndarray) -> int:
    """Data pointer of a C-contiguous array (the buffer protocol is ~8x faster than
    ``__array_interface__``; read-only arrays take the slow path)."""
    try:
        return _addressof(_from_buffer(a))
    except (TypeError, ValueError):
        return a.__array_interface__["data"][0]


class SegmentCall:
    """The callable ``Step.kernel`` of a segment: ``(*external arrays) -> returned + kept arrays``."""

    def __init__(self, seg: Segment, fn, lib):
        self.lib = lib  # keep the library loaded
        fn.argtypes = [ctypes.c_void_p]
        fn.restype = None
        self.fn = fn
        self.n_ext = len(seg.external)
        n = seg.ws_slot + 1
        self.ptrs = (ctypes.c_void_p * n)()
        self.ptrs_addr = ctypes.addressof(self.ptrs)
        self.pools = [OutputPool(spec_of(r).shape, spec_of(r).np_dtype) for r in seg.returned]
        self.kept = [np.empty(spec_of(r).shape, spec_of(r).np_dtype) for r in seg.kept]
        self.workspace = seg.arena.allocate()
        base = len(seg.external) + len(seg.returned)
        for j, a in enumerate(self.kept):
            self.ptrs[base + j] = _ptr(a)
        self.ptrs[seg.ws_slot] = _ptr(self.workspace)
        self.lock = threading.Lock()

    def raw(self):
        """For a caller that fills in the pointers itself (the torch frontend's call path):
        ``(fn, pointer array, its address, lock, [(shape, NumPy dtype)] of the results)``; the
        caller holds ``lock`` while it writes the ``n_ext`` input pointers, then one pointer
        per result, and calls ``fn(address)``. None where the segment keeps arrays."""
        if self.kept:
            return None
        return self.fn, self.ptrs, self.ptrs_addr, self.lock, [(p.shape, p.dtype) for p in self.pools]

    def __call__(self, *arrays):
        ptrs = self.ptrs
        hold = []  # contiguous copies of strided inputs, alive until the call returns
        with self.lock:
            j = 0
            for a in arrays:
                if not a.flags.c_contiguous:
                    a = np.ascontiguousarray(a)
                    hold.append(a)
                ptrs[j] = _input_ptr(a)
                j += 1
            outs = []
            for p in self.pools:
                o, ptrs[j] = p.get_with_address()
                outs.append(o)
                j += 1
            self.fn(self.ptrs_addr)
        return outs + self.kept if self.kept else outs
