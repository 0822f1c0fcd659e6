"""Named passes and pipelines.

Every pass is an xDSL ``ModulePass``; ``furcate opt -p a,b`` and the compiler
run them by name. The default pipeline is what ``furcate.compile`` runs before
handing the program to a backend: ``canonicalize`` then ``fuse``. A pass
class with a ``from_capabilities`` constructor (``fuse``) is built from the
target backend's ``Capabilities`` when the driver has them, so ``fuse`` does
nothing for a backend without fusion kinds; without capabilities (``furcate
opt``) it uses its defaults (every fusion kind).
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from furcate.passes.canonicalize import CanonicalizePass
from furcate.passes.fuse import FusePass

PASSES: dict[str, Callable[[], ModulePass]] = {
    "canonicalize": CanonicalizePass,
    "fuse": FusePass,
    "cse": CommonSubexpressionElimination,
    "dce": DeadCodeElimination,
}

PIPELINES: dict[str, list[str]] = {
    "default": ["canonicalize", "fuse"],
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


def make_pass(name: str, capabilities=None) -> ModulePass:
    """The pass named ``name``; built for ``capabilities`` (a backend's) where it takes them."""
    factory = PASSES[name]
    if capabilities is not None and hasattr(factory, "from_capabilities"):
        return factory.from_capabilities(capabilities)
    return factory()
