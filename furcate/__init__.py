"""furcate: an ML compiler for PyTorch and JAX programs over heterogeneous devices.

Public API:
- ``furcate.jit(fn, target=...)`` — a ``jax.jit``-like wrapper (JAX loaded on first use);
- ``torch.compile(model, backend="furcate", options={...})`` — registered by entry point;
- ``furcate.compile(program_or_ir_text, target=...)`` — compile furcate IR to an Executable;
- ``furcate.stats()`` — what really happened (graphs, ops compiled vs eager, kernels, times);
- ``furcate.targets()`` — the backends this installation knows.

``import furcate`` imports neither torch nor jax.
"""

from __future__ import annotations

from furcate import devices
from furcate.diagnostics import enable_logging, stats
from furcate.errors import CompileError, FurcateError, UnsupportedError

from furcate._version import __version__


def jit(fun=None, *, target: str = "auto", static_argnums=(), **options):
    """Compile a JAX function through furcate (like ``jax.jit``)."""
    from furcate.frontend.jaxpr import jit as _jit

    return _jit(fun, target=target, static_argnums=static_argnums, **options)


def compile(program, target: str = "auto", **options):
    """Compile a ``Program`` or furcate IR text to an ``Executable`` (NumPy arrays in and out)."""
    from furcate.compiler import compile_program
    from furcate.ir.program import Program, parse_program

    if isinstance(program, str):
        program = parse_program(program)
    elif not isinstance(program, Program):
        raise TypeError(f"furcate.compile takes a Program or IR text, got {type(program).__name__}")
    return compile_program(program, target, options)


def targets() -> list[str]:
    from furcate.backends import targets as _targets

    return ["auto", *_targets()]


__all__ = [
    "devices",
    "jit",
    "compile",
    "stats",
    "targets",
    "enable_logging",
    "UnsupportedError",
    "CompileError",
    "FurcateError",
    "__version__",
]
