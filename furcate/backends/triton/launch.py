"""Launch parameters: block sizes, ``num_warps``, ``num_stages`` and the grid.

A heuristic picks them from the kernel's static sizes and the mode:

- on a GPU: pointwise blocks of 1024 elements; row reductions persistent
  (whole row in one block) up to 4096 columns, looped with 1024-column
  blocks beyond, several short rows per program; GEMM tiles from the sizes,
  and a small autotuning set timed on first launch (``triton.testing.do_bench``),
  the winner cached on disk per kernel source, device and Triton version;
- in the interpreter (CPU): few, large program instances (each costs ~ms of
  Python), no autotuning.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass

from furcate.diagnostics import log
from furcate.runtime.cache import cache_subdir, key_digest, read_cached_file, write_atomic

PERSISTENT_MAX = 4096  # GPU: columns a row may have to stay in one block
LOOP_BLOCK = 1024
INTERP_BLOCK = 1 << 16  # interpreter: elements per program instance


@dataclass(frozen=True)
class Config:
    """Constexpr block sizes (by parameter name) and the launch options."""

    blocks: tuple[tuple[str, int], ...]
    num_warps: int = 4
    num_stages: int = 2

    def kwargs(self) -> dict:
        return dict(self.blocks)

    def get(self, name: str) -> int:
        return dict(self.blocks)[name]


def pow2(n: int) -> int:
    return 1 << max(int(n) - 1, 0).bit_length()


def _warps(elems: int) -> int:
    return max(1, min(8, pow2(max(elems // 256, 1))))


def reduction_looped(red: int, interpret: bool) -> bool:
    """Does a row of ``red`` columns need the looped form?"""
    return pow2(red) > (INTERP_BLOCK if interpret else PERSISTENT_MAX)


def heuristic(kind: str, space: dict, interpret: bool) -> Config:
    if kind == "pointwise":
        n = space["n"]
        block = min(pow2(n), INTERP_BLOCK if interpret else 1024)
        return Config((("BLOCK", block),), num_warps=_warps(block))
    if kind == "reduction":
        rows, red = space["rows"], space["red"]
        limit = INTERP_BLOCK if interpret else 4096
        rb = min(pow2(red), LOOP_BLOCK if space["looped"] and not interpret else limit)
        bm = min(pow2(rows), max(1, (limit if interpret else 2048) // rb))
        return Config((("BM", bm), ("RB", rb)), num_warps=_warps(bm * rb))
    if kind == "gemm":
        m, n, k = space["m"], space["n"], space["k"]
        if interpret:
            clamp = lambda x: max(16, min(pow2(x), 64))  # noqa: E731
            return Config((("BM", clamp(m)), ("BN", clamp(n)), ("BK", clamp(k)), ("GROUP_M", 8)))
        bk = 64 if space["dtype"] in ("f16", "bf16") else 32
        bm = max(16, min(128, pow2(m)))
        bn = max(16, min(128, pow2(n)))
        return Config((("BM", bm), ("BN", bn), ("BK", bk), ("GROUP_M", 8)),
                      num_warps=8 if bm * bn >= 128 * 128 else 4, num_stages=3)
    raise ValueError(f"unknown kernel kind {kind!r}")


def gemm_candidates(space: dict) -> list[Config]:
    """The GPU autotuning set for one GEMM (tiles no larger than the problem needs)."""
    bk = 64 if space["dtype"] in ("f16", "bf16") else 32
    if space["dtype"] == "f64":
        tiles = [(64, 64, 16, 4, 3), (32, 64, 16, 4, 3), (64, 32, 16, 4, 3)]
    else:
        tiles = [(128, 128, bk, 8, 3), (128, 64, bk, 4, 4), (64, 128, bk, 4, 4), (64, 64, bk, 4, 4),
                 (128, 256, bk, 8, 3), (64, 32, bk, 2, 5)]
    out = []
    for bm, bn, k_, w, s in tiles:
        bm2, bn2 = min(bm, max(16, pow2(space["m"]))), min(bn, max(16, pow2(space["n"])))
        c = Config((("BM", bm2), ("BN", bn2), ("BK", k_), ("GROUP_M", 8)), num_warps=w, num_stages=s)
        if c not in out:
            out.append(c)
    return out


def grid(kind: str, space: dict, cfg: Config) -> tuple[int, ...]:
    cdiv = lambda a, b: -(-a // b)  # noqa: E731
    if kind == "pointwise":
        return (cdiv(space["n"], cfg.get("BLOCK")),)
    if kind == "reduction":
        return (cdiv(space["rows"], cfg.get("BM")),)
    return (cdiv(space["m"], cfg.get("BM")) * cdiv(space["n"], cfg.get("BN")), space["batch"])


class TuneCache:
    """Autotuning results on disk: ``{digest(source, device, triton version): Config}``."""

    def __init__(self):
        self.lock = threading.Lock()
        self._data: dict | None = None

    @property
    def path(self):
        return cache_subdir("triton") / "autotune.json"  # checked like every cache directory

    def _load(self) -> dict:
        if self._data is None:
            raw = read_cached_file(self.path)  # None when missing or not ours
            try:
                data = json.loads(raw) if raw is not None else {}
            except ValueError:
                data = {}
            self._data = data if isinstance(data, dict) else {}
        return self._data

    @staticmethod
    def key(source: str, device: str, version: str) -> str:
        return key_digest(source, device, version)

    def get(self, key: str) -> Config | None:
        with self.lock:
            e = self._load().get(key)
        if e is None:
            return None
        try:
            return Config(tuple((str(k), int(v)) for k, v in e["blocks"]), int(e["num_warps"]), int(e["num_stages"]))
        except (KeyError, TypeError, ValueError):  # a corrupt entry: tune again
            return None

    def put(self, key: str, cfg: Config) -> None:
        with self.lock:
            data = self._load()
            data[key] = asdict(cfg)
            try:
                write_atomic(self.path, json.dumps(data, indent=1).encode())
            except OSError as e:
                log("cache").warning("triton: cannot write autotune cache %s: %s", self.path, e)


TUNE_CACHE = TuneCache()
