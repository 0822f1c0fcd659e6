"""Buffers that outlive one call: the workspace arena and the output pool.

- ``Arena`` plans offsets for intermediates from their live ranges (first fit
  over a free list, adjacent holes merged) and allows an output to take over an
  input's block in place when the caller says it is legal. The executable
  allocates the arena once and keeps it across calls.
- ``OutputPool`` hands out output arrays. An array is recycled only when
  nothing but the pool refers to it any more (the caller dropped the result
  and every view of it), so a steady-state call allocates nothing and never
  pays page faults again, and a result the user still holds is never
  overwritten.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

ALIGN = 64


def _round(n: int) -> int:
    return (max(n, 1) + ALIGN - 1) // ALIGN * ALIGN


class Arena:
    """Offset planning for a sequence of steps over named intermediates."""

    def __init__(self):
        self.free: list[tuple[int, int]] = []  # (offset, size), sorted by offset
        self.size = 0
        self.offsets: dict[object, int] = {}
        self.sizes: dict[object, int] = {}

    def alloc(self, key, nbytes: int) -> int:
        n = _round(nbytes)
        for i, (off, size) in enumerate(self.free):
            if size >= n:
                if size == n:
                    del self.free[i]
                else:
                    self.free[i] = (off + n, size - n)
                break
        else:
            if self.free and self.free[-1][0] + self.free[-1][1] == self.size:
                off = self.free.pop()[0]  # grow the trailing hole
            else:
                off = self.size
            self.size = max(self.size, off + n)
        self.offsets[key] = off
        self.sizes[key] = n
        return off

    def take_over(self, key, old_key) -> int:
        """``key`` reuses ``old_key``'s block (an in-place write; ``old_key`` is dead after)."""
        self.offsets[key] = self.offsets[old_key]
        self.sizes[key] = self.sizes.pop(old_key)
        return self.offsets[key]

    def release(self, key) -> None:
        if key not in self.sizes:
            return
        off, n = self.offsets[key], self.sizes.pop(key)
        self.free.append((off, n))
        self.free.sort()
        merged: list[tuple[int, int]] = []
        for o, s in self.free:
            if merged and merged[-1][0] + merged[-1][1] == o:
                merged[-1] = (merged[-1][0], merged[-1][1] + s)
            else:
                merged.append((o, s))
        self.free = merged

    def allocate(self) -> np.ndarray:
        """The arena's memory (64-byte aligned, pages touched once)."""
        raw = np.zeros(self.size + ALIGN, dtype=np.uint8)
        start = (-raw.ctypes.data) % ALIGN
        buf = raw[start:start + self.size]
        buf[::4096] = 0  # fault the pages in now, not during the first call
        return buf


class OutputPool:
    """Recycles output arrays of one spec once the caller has dropped them."""

    def __init__(self, shape, dtype, keep: int = 3):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.keep = keep
        self.arrays: list[np.ndarray] = []
        self.addrs: list[int] = []  # data pointer of each pooled array
        self.lock = threading.Lock()
        self.reused = 0

    def get(self) -> np.ndarray:
        return self.get_with_address()[0]

    def get_with_address(self) -> tuple[np.ndarray, int]:
        """An array nobody else holds, and its data pointer."""
        with self.lock:
            arrays = self.arrays
            for i in range(len(arrays)):
                # references: the pool's list + getrefcount's argument, nobody else
                if sys.getrefcount(arrays[i]) == 2:
                    self.reused += 1
                    return arrays[i], self.addrs[i]
            a = np.empty(self.shape, self.dtype)
            addr = a.__array_interface__["data"][0]
            if len(self.arrays) < self.keep:
                self.arrays.append(a)
                self.addrs.append(addr)
            return a, addr
