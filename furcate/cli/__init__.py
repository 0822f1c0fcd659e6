"""The ``furcate`` command line (also ``python -m furcate``).

Subcommands live in one module each (``furcate/cli/cmd_*.py``); a module
provides ``register(subparsers)``, which adds its parser and sets
``handler=function(args) -> int``. Adding a subcommand is one module and one
entry in ``COMMANDS``.

Errors a user can cause (bad IR, unknown pass or target, bad ``--input``,
missing module or function, unwritable paths) print one line to stderr and
exit with status 1; ``FURCATE_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from furcate.cli.common import CliError, one_line

# subcommand modules, in the order ``furcate --help`` lists them
COMMANDS = ("opt", "compile", "run", "explain", "report", "bisect", "fuzz")


def build_parser() -> argparse.ArgumentParser:
    from furcate import __version__

    parser = argparse.ArgumentParser(
        prog="furcate",
        description="furcate: compile PyTorch and JAX programs (and furcate IR) for CPUs and accelerators.",
        epilog="Set FURCATE_DEBUG=1 to see tracebacks, FURCATE_LOG=all for the compiler's log.",
    )
    parser.add_argument("--version", action="version", version=f"furcate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"furcate.cli.cmd_{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 on success, 1 on an error, 2 on a usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("furcate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # e.g. `furcate opt x.mlir | head`: not an error of ours
        sys.stderr.close()
        return 0
    except Exception as e:  # noqa: BLE001 - every failure becomes one line unless debugging
        if os.environ.get("FURCATE_DEBUG", "") not in ("", "0"):
            raise
        print(f"furcate {args.command}: error: {describe(e)}", file=sys.stderr)
        return 1


def describe(e: BaseException) -> str:
    """One line for an exception: furcate's own and the expected ones by message, others
    with their type (those are bugs, so point at FURCATE_DEBUG)."""
    from furcate.errors import FurcateError

    msg = one_line(str(e))
    expected = (CliError, FurcateError, ValueError, TypeError, ImportError, OSError, RuntimeError)
    if isinstance(e, expected) and msg:
        return msg
    return f"{type(e).__name__}: {msg} (internal error; set FURCATE_DEBUG=1 for the traceback)"


__all__ = ["main", "build_parser", "COMMANDS"]
