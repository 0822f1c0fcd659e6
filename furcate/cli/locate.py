"""Source locations for errors in IR text the CLI read.

xDSL 0.74 reports parse errors with ``file:line:col`` but keeps no location
on the ops it parsed (``op.location`` is ``loc(unknown)``), so a verifier
failure names the op, not the line. ``op_positions`` finds where each op
starts in the text (ops are parsed in text order, which is the order of
``module.walk()``), ``failing_op`` finds the op that fails verification, and
``verifier_location`` puts them together. An undefined SSA value is reported
by xDSL at the end of the module; ``first_use`` points at its first use.
"""

from __future__ import annotations

import re

# the start of an op on a line: optional results ("%a, %b:2 =") then the op name, maybe quoted
_OP_START = re.compile(r'^(\s*)(?:%[\w.$-]+(?::\d+)?(?:\s*,\s*%[\w.$-]+(?::\d+)?)*\s*=\s*)?"?[A-Za-z_][\w$]*\.[\w$.]+')
_UNDEFINED = re.compile(r"values used but not defined: \[(%[^\],\s]+)")


def _code(line: str) -> str:
    """A line without its ``//`` comment (IR text has no ``//`` inside strings we care about)."""
    return line.split("//", 1)[0]


def is_empty(text: str) -> bool:
    """True when ``text`` holds nothing but blank lines and comments."""
    return not any(_code(line).strip() for line in text.splitlines())


def op_positions(text: str) -> list[tuple[int, int]]:
    """(line, column), 1-based, of the start of every op in ``text``, in text order."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _OP_START.match(_code(line))
        if m:
            out.append((n, len(m.group(1)) + 1))
    return out


def failing_op(module, message: str):
    """The first op (in text order) that fails verification on its own, else the op a
    program-level message names (a ``constant_ref`` of an unknown constant), else None."""
    from xdsl.utils.exceptions import VerifyException

    ops = list(module.walk())
    for op in ops:
        try:
            op.verify(verify_nested_ops=False)
        except (VerifyException, ValueError):
            return op
    for op in ops:
        ref = op.properties.get("ref") if op.name == "furcate.constant_ref" else None
        if ref is not None and repr(ref.data) in message:
            return op
    return None


def verifier_location(module, text: str, message: str) -> tuple[str, int, int] | None:
    """(op name, line, column) of the op that fails verification, when it can be found."""
    op = failing_op(module, message)
    if op is None:
        return None
    ops = list(module.walk())
    positions = op_positions(text)
    if len(positions) == len(ops):
        return (op.name, *positions[ops.index(op)])
    name = op.results[0].name_hint if op.results else None
    if name:  # the line defining the op's first result
        pattern = re.compile(rf"^(\s*)%{re.escape(name)}\b[^=]*=")
        for n, line in enumerate(text.splitlines(), 1):
            m = pattern.match(_code(line))
            if m:
                return op.name, n, len(m.group(1)) + 1
    return None


def first_use(text: str, message: str) -> tuple[str, int, int] | None:
    """(value, line, column) of the first use of the first value an xDSL "values used but
    not defined" message lists."""
    m = _UNDEFINED.search(message)
    if not m:
        return None
    value = m.group(1)
    token = re.compile(rf"{re.escape(value)}(?![\w.$-])")
    for n, line in enumerate(text.splitlines(), 1):
        hit = token.search(_code(line))
        if hit:
            return value, n, hit.start() + 1
    return None


__all__ = ["is_empty", "op_positions", "failing_op", "verifier_location", "first_use"]
