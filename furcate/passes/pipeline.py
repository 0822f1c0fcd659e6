"""Named passes and pipelines.

Every pass is an xDSL ``ModulePass``; ``furcate opt -p a,b`` and the compiler
run them by name, with options in xDSL's pass-pipeline syntax: ``fuse{kinds=pointwise}``,
``place{devices=cpu,"sim:h100" pins="gather=sim:h100"}`` (a value with ``:`` or ``=`` is
quoted; list options are comma-separated). The default pipeline is what
``furcate.compile`` runs before handing the program to a backend: ``canonicalize``
then ``fuse``. A pass class with a ``from_capabilities`` constructor (``fuse``) is built
from the target backend's ``Capabilities`` when the driver has them and the spec gives
no options, so ``fuse`` does nothing for a backend without fusion kinds; without
capabilities (``furcate opt``) it uses its defaults (every fusion kind).
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from furcate.passes.canonicalize import CanonicalizePass
from furcate.passes.fuse import FusePass
from furcate.passes.place_pass import PlacePass
from furcate.passes.split import SplitPass

PASSES: dict[str, Callable[[], ModulePass]] = {
    "canonicalize": CanonicalizePass,
    "fuse": FusePass,
    "cse": CommonSubexpressionElimination,
    "dce": DeadCodeElimination,
    "place": PlacePass,
    "split": SplitPass,
}

PIPELINES: dict[str, list[str]] = {
    "default": ["canonicalize", "fuse"],
    "none": [],
}


def register_pass(name: str, factory: Callable[[], ModulePass]) -> None:
    PASSES[name] = factory


def parse_specs(text: str) -> list[ArgSpec]:
    """The pass specs of pipeline text, options parsed (xDSL's pass-pipeline syntax)."""
    try:
        return list(parse_pipeline(text))
    except ArgSpecParseError as e:
        raise ValueError(f"pass pipeline {text!r} does not parse: {str(e).splitlines()[-1].strip() or e} "
                         '(options go in braces, space-separated; quote a value holding ":" or "=": '
                         'place{devices=cpu,"sim:h100" pins="gather=sim:h100"})') from None


def pass_name(spec: str) -> str:
    """The pass name of a spec (``fuse{kinds=pointwise}`` -> ``fuse``)."""
    return spec.split("{", 1)[0].strip()


def resolve(spec: str | list[str] | tuple[str, ...]) -> list[str]:
    """The pass specs of a pipeline (a pipeline name, a comma-separated list of passes with
    options, or a list of such strings), pipelines expanded, every name checked; each spec
    is text ``make_pass`` builds the pass from (``fuse``, ``fuse{kinds="pointwise"}``)."""
    items = [spec] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in items:
        if not item.strip():
            continue
        for a in parse_specs(item):
            if a.name in PIPELINES and not a.parameters:
                out += PIPELINES[a.name]
            elif a.name in PASSES:
                out.append(str(a))
            else:
                raise ValueError(
                    f"unknown pass or pipeline {a.name!r}; passes: {', '.join(sorted(PASSES))}; "
                    f"pipelines: {', '.join(sorted(PIPELINES))}"
                )
    return out


def make_pass(spec: str, capabilities=None) -> ModulePass:
    """The pass a spec names, with its options; with no options, built for ``capabilities``
    (a backend's) where the pass takes them."""
    (a,) = parse_specs(spec)
    factory = PASSES[a.name]
    if a.parameters:
        try:
            return factory.from_pass_spec(a)
        except (ValueError, TypeError) as e:
            raise ValueError(f"pass {a.name!r}: {e}") from None
    if capabilities is not None and hasattr(factory, "from_capabilities"):
        return factory.from_capabilities(capabilities)
    return factory()
