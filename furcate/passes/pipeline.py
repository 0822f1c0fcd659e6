"""Named passes and pipelines.

Every pass is an xDSL ``ModulePass``; ``furcate opt -p a,b`` and the compiler
run them by name. The default pipeline is what ``furcate.compile`` runs before
handing the program to a backend.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from furcate.passes.canonicalize import CanonicalizePass

PASSES: dict[str, Callable[[], ModulePass]] = {
    "canonicalize": CanonicalizePass,
    "cse": CommonSubexpressionElimination,
    "dce": DeadCodeElimination,
}

PIPELINES: dict[str, list[str]] = {
    "default": ["canonicalize"],
    "none": [],
}


def register_pass(name: str, factory: Callable[[], ModulePass]) -> None:
    PASSES[name] = factory


def resolve(spec: str | list[str]) -> list[str]:
    """Pass names of a pipeline spec: a pipeline name or a comma-separated list of passes."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for n in (n.strip() for n in names):
        if not n:
            continue
        if n in PIPELINES:
            out += PIPELINES[n]
        elif n in PASSES:
            out.append(n)
        else:
            raise ValueError(
                f"unknown pass or pipeline {n!r}; passes: {', '.join(sorted(PASSES))}; "
                f"pipelines: {', '.join(sorted(PIPELINES))}"
            )
    return out


def make_pass(name: str) -> ModulePass:
    return PASSES[name]()
