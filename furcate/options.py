"""Compile options: one frozen, typed ``CompileOptions``, built once from
``torch.compile(..., options={...})``, ``furcate.jit(fn, **options)``, CLI flags or a
``compile_program`` dict, and validated here: an unknown key is an error naming the close
matches, a value of the wrong type an error naming the option. Every layer reads the
fields; nothing else checks option names. docs/torch.md's options table is tested
against the fields (tests/test_options.py).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field


def _doc(text: str) -> dict:
    return {"doc": text}


@dataclass(frozen=True)
class CompileOptions:
    target: str = field(default="auto", metadata=_doc(
        '"auto" (also $FURCATE_TARGET) or a backend name from furcate.targets()'))
    pipeline: str | tuple[str, ...] = field(default="default", metadata=_doc(
        'pass pipeline before the backend: a pipeline name ("default", "none"), "a,b,c" or a list of pass names'))
    name: str = field(default="main", metadata=_doc("the graph's name in logs, dumps and kernel symbols"))
    dump_dir: str | None = field(default=None, metadata=_doc(
        "write the IR after each stage, the executable and timings per graph (also $FURCATE_DUMP_DIR)"))
    print_ir_after_all: bool = field(default=False, metadata=_doc("print the IR after every pass"))
    freeze: bool = field(default=False, metadata=_doc(
        "inference freezing: weights become compile-time constants (torch: under no_grad)"))
    placement: Mapping[str, str] | None = field(default=None, metadata=_doc(
        'pins for heterogeneous placement: {op or group pattern: device}'))
    devices: object = field(default=None, metadata=_doc(
        'the machine to place on: a spec such as "cpu+sim:h100", or a runtime.devices.Machine'))
    xla_platform: str | None = field(default=None, metadata=_doc(
        "the XLA platform the xla target compiles for (also $FURCATE_XLA_PLATFORM)"))
    # set by frontends, never by users: the captured FX graph / jaxpr (text or a function
    # returning it) that a dump writes as captured.txt
    captured: object = field(default=None, repr=False, compare=False, metadata={"internal": True})

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise in place once, here
        for name in ("target", "name"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise TypeError(f"furcate option {name!r} must be a non-empty string, got {getattr(self, name)!r}")
        p = self.pipeline
        if isinstance(p, (list, tuple)):
            if not all(isinstance(x, str) for x in p):
                raise TypeError(f"furcate option 'pipeline' must be a string or a list of pass names, got {p!r}")
            set_(self, "pipeline", tuple(p))
        elif not isinstance(p, str):
            raise TypeError(f"furcate option 'pipeline' must be a string or a list of pass names, got {p!r}")
        if self.dump_dir is not None:
            if not isinstance(self.dump_dir, (str, os.PathLike)):
                raise TypeError(f"furcate option 'dump_dir' must be a path, got {self.dump_dir!r}")
            set_(self, "dump_dir", os.fspath(self.dump_dir))
        for name in ("print_ir_after_all", "freeze"):
            v = getattr(self, name)
            if not isinstance(v, (bool, int)) or v not in (0, 1):
                raise TypeError(f"furcate option {name!r} must be True or False, got {v!r}")
            set_(self, name, bool(v))
        if self.placement is not None:
            if not isinstance(self.placement, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in self.placement.items()):
                raise TypeError(f"furcate option 'placement' must map names to device names, got {self.placement!r}")
            set_(self, "placement", dict(self.placement))
        if self.xla_platform is not None and not isinstance(self.xla_platform, str):
            raise TypeError(f"furcate option 'xla_platform' must be a string, got {self.xla_platform!r}")

    @classmethod
    def user_fields(cls) -> list[str]:
        """The options a user may set (``captured`` is the frontends')."""
        return [f.name for f in dataclasses.fields(cls) if not f.metadata.get("internal")]

    @classmethod
    def of(cls, options: CompileOptions | Mapping | None = None, **overrides) -> CompileOptions:
        """``options`` (None, a mapping of option names, or CompileOptions) with ``overrides``
        (frontend-set fields included) applied; a mapping's keys are checked by name."""
        if isinstance(options, CompileOptions):
            return dataclasses.replace(options, **overrides) if overrides else options
        given = dict(options or {})
        valid = cls.user_fields()
        unknown = sorted(k for k in given if k not in valid)
        if unknown:
            hints = [f"{k!r} (did you mean {', '.join(map(repr, m))}?)" if (m := difflib.get_close_matches(k, valid, 3))
                     else repr(k) for k in unknown]
            raise ValueError(f"unknown furcate option(s) {', '.join(hints)}; valid: {', '.join(sorted(valid))}")
        given = {k: v for k, v in given.items() if v is not None}  # None: the default
        return cls(**{**given, **overrides})

    def replace(self, **changes) -> CompileOptions:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """The user options that differ from their defaults."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if not f.metadata.get("internal") and getattr(self, f.name) != f.default}
