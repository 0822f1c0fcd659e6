"""Helpers shared by the CLI's subcommands: reading IR and arrays, ``--input`` specs,
random inputs, printing values. Nothing here imports torch or jax."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

from furcate.dtypes import TensorSpec


class CliError(Exception):
    """A user error the CLI reports as one line (bad argument, missing file...)."""


_LOCATION = re.compile(r"^\S.*:\d+:\d+$")


def one_line(msg: str) -> str:
    """Condense a message to one line. xDSL parse errors (``file:line:col``, the source
    line, a caret, the message) become ``file:line:col: message``."""
    lines = [ln for ln in msg.splitlines() if ln.strip()]
    if not lines:
        return ""
    if len(lines) >= 3 and _LOCATION.match(lines[0]) and set(lines[2].strip()) <= {"^"}:
        rest = " ".join(ln.strip() for ln in lines[3:]) or "parse error"
        return f"{lines[0]}: {rest}"
    return " ".join(ln.strip() for ln in lines)


def read_text(path: str) -> tuple[str, str]:
    """The text of ``path`` (``-`` is stdin) and the name to report it by."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(), path
    except OSError as e:
        raise CliError(f"cannot read {path!r}: {e.strerror or e}") from None


def write_text(path: str | None, text: str) -> None:
    """Write to ``path``, or stdout when it is None or ``-``."""
    if path in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(text)
    except OSError as e:
        raise CliError(f"cannot write {path!r}: {e.strerror or e}") from None


def load_npz(path: str, what: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, in the order they were stored. A 2-byte void array
    is bf16 as NumPy stores ml_dtypes' bfloat16 (a dump's ``constants.npz``)."""
    import ml_dtypes

    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: (f[k].view(ml_dtypes.bfloat16) if f[k].dtype == np.dtype("V2") else f[k]) for k in f.files}
    except OSError as e:
        raise CliError(f"cannot read {what} {path!r}: {e.strerror or e}") from None
    except ValueError as e:
        raise CliError(f"cannot read {what} {path!r}: not an .npz file of plain arrays ({e})") from None


def save_npz(path: str, arrays: dict[str, np.ndarray]) -> None:
    try:
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    except OSError as e:
        raise CliError(f"cannot write {path!r}: {e.strerror or e}") from None


def parse_specs(texts: list[str] | None) -> list[TensorSpec]:
    """``--input`` values (``f32[8,128]``) as specs; a bad one names the argument."""
    specs = []
    for t in texts or []:
        try:
            specs.append(TensorSpec.parse(t))
        except ValueError as e:
            raise CliError(f"--input: {e}") from None
    return specs


def add_function_arguments(p, example: str = "model.py:MLP") -> None:
    """The arguments of every subcommand that captures MODULE_OR_FILE:FUNCTION
    (``compile``, ``explain``): the function, its ``--input`` specs and the frontend."""
    p.add_argument("target_fn", metavar="MODULE_OR_FILE:FUNCTION", help=f"e.g. {example}")
    p.add_argument("--input", action="append", metavar="SPEC", default=[],
                   help="argument type, e.g. 'f32[8,128]' (repeat per argument, in order)")
    p.add_argument("--frontend", choices=("torch", "jax"), default="torch", help="default: torch")


def random_array(spec: TensorSpec, rng: np.random.Generator) -> np.ndarray:
    """A random array of ``spec``: floats ~ N(0, 1), integers in [0, 8) (valid indices for
    embeddings and gathers of 8 or more rows), booleans 50/50."""
    if spec.dtype == "i1":
        return rng.random(spec.shape) < 0.5
    if spec.dtype.startswith("i"):
        return rng.integers(0, 8, size=spec.shape).astype(spec.np_dtype)
    return rng.standard_normal(spec.shape).astype(spec.np_dtype)


def random_inputs(specs: list[TensorSpec], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [random_array(s, rng) for s in specs]


def summarize(arr) -> str:
    """A short summary of an array's values: min/max/mean and the first few elements."""
    a = np.asarray(arr)
    if a.size == 0:
        return "(empty)"
    flat = a.reshape(-1)
    if a.dtype == np.bool_:
        return f"true={int(flat.sum())}/{flat.size}  first={_first(flat.astype(np.int8))}"
    f = flat.astype(np.float64)
    finite = f[np.isfinite(f)]
    parts = []
    if finite.size:
        parts.append(f"min={finite.min():.6g} max={finite.max():.6g} mean={finite.mean():.6g}")
    n_nan, n_inf = int(np.isnan(f).sum()), int(np.isinf(f).sum())
    if n_nan or n_inf:
        parts.append(f"nan={n_nan} inf={n_inf}")
    parts.append(f"first={_first(flat)}")
    return "  ".join(parts)


def _first(flat: np.ndarray, n: int = 4) -> str:
    vals = ", ".join(f"{float(v):.6g}" if flat.dtype.kind == "f" or flat.dtype.kind == "V"
                     else str(v) for v in flat[:n])
    return f"[{vals}{', ...' if flat.size > n else ''}]"
