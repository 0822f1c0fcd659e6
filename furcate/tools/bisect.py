"""Numerics bisection: which group of a compiled program computes the wrong numbers?

``bisect(program, inputs, target)``

1. runs the original program on the NumPy reference (no passes): the expected outputs;
2. runs the pass pipeline the target would get, one pass at a time, and evaluates the
   IR after each pass on NumPy: a pass whose output differs from the expected one
   changed the program's meaning (``Report.bad_pass``);
3. compiles the transformed program for the target and compares its outputs;
4. evaluates the transformed program group by group on NumPy (``evaluate_op``: a
   group is a top-level ``furcate.fusion`` or an unfused op) to get every
   intermediate value, then compiles each group alone as a program for the target,
   feeds it the reference values of its operands and compares its results. The
   first group whose output differs beyond tolerance, or whose compile or run
   raises, is ``Report.first_bad``.

Feeding every group the reference inputs keeps one group's error from spreading
into the next, so the group named is where the numbers go wrong, not where the
error first becomes visible.

Tolerances are per dtype (``furcate/tools/tolerance.py``, the one table the test
suite uses too; the accumulated column for groups holding a reduction, dot,
convolution or cumulative op). Integers and booleans must match exactly; NaNs must
match in position, infinities exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region

from furcate.ir.program import Program
from furcate.ir.types import spec_of_type
from furcate.tools.tolerance import ACCUMULATING, tolerance

SOURCES = {"furcate.constant", "furcate.constant_ref"}


@dataclass
class Mismatch:
    """How one array differs from its reference (``None`` from ``compare`` when it does not)."""

    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}"


def compare(actual, expected, accumulated: bool = False, rtol: float | None = None,
            atol: float | None = None, what: str = "output") -> Mismatch | None:
    """None when ``actual`` matches ``expected`` within the dtype's tolerance, else why not."""
    a, x = np.asarray(actual), np.asarray(expected)
    if a.shape != x.shape or a.dtype != x.dtype:
        return Mismatch(what, f"is {a.dtype}{list(a.shape)}, expected {x.dtype}{list(x.shape)}")
    if a.size == 0:
        return None
    if x.dtype.kind in "biu":
        bad = a != x
        if not bad.any():
            return None
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        return Mismatch(what, f"{int(bad.sum())} of {a.size} elements differ; first at {list(i)}: "
                              f"got {a[i]!r}, expected {x[i]!r}")
    r, t = tolerance(x.dtype, accumulated)
    rtol = r if rtol is None else rtol
    atol = t if atol is None else atol
    a64, x64 = a.astype(np.float64), x.astype(np.float64)
    nan_a, nan_x = np.isnan(a64), np.isnan(x64)
    with np.errstate(all="ignore"):
        err = np.abs(a64 - x64)
        inf = np.isinf(a64) | np.isinf(x64)
        close = np.where(inf, a64 == x64, err <= atol + rtol * np.abs(x64))  # infinities match exactly
    bad = ~close & ~(nan_a & nan_x)
    bad |= nan_a != nan_x
    if not bad.any():
        return None
    i = tuple(int(k) for k in np.argwhere(bad)[0])
    finite = bad & np.isfinite(err)
    worst = f"; max |error| {float(err[finite].max()):.3g}" if finite.any() else ""
    return Mismatch(what, f"{int(bad.sum())} of {a.size} elements beyond rtol={rtol:g}, atol={atol:g}{worst}; "
                          f"first at {list(i)}: got {a64[i]:.9g}, expected {x64[i]:.9g}")


def raised(e: BaseException) -> str:
    """``RuntimeError: message`` (first line of the message)."""
    first = next((ln.strip() for ln in str(e).splitlines() if ln.strip()), "")
    return f"{type(e).__name__}: {first}" if first else type(e).__name__


@dataclass
class GroupResult:
    """One top-level group of the transformed program, run alone on the target; ``error``
    when compiling or running it raised."""

    index: int
    label: str
    mismatches: list[Mismatch]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.error is None


@dataclass
class Report:
    target: str
    passes: list[str]
    bad_pass: str | None = None
    pass_error: str | None = None  # the bad pass raised (instead of changing the results)
    pass_mismatches: list[Mismatch] = field(default_factory=list)
    output_mismatches: list[Mismatch] = field(default_factory=list)
    output_error: str | None = None  # compiling or running the whole program raised
    groups: list[GroupResult] = field(default_factory=list)
    n_groups: int = 0

    @property
    def first_bad(self) -> GroupResult | None:
        return next((g for g in self.groups if not g.ok), None)

    @property
    def ok(self) -> bool:
        return (self.bad_pass is None and not self.output_mismatches and self.output_error is None
                and self.first_bad is None)

    def text(self) -> str:
        lines = [f"bisect on {self.target}: pipeline {', '.join(self.passes) or '(none)'}, "
                 f"{self.n_groups} group(s), checked {len(self.groups)}"]
        if self.pass_error:
            lines.append(f"pass {self.bad_pass!r} raised {self.pass_error}")
        elif self.bad_pass:
            lines.append(f"pass {self.bad_pass!r} changed the program's results (evaluated on numpy):")
            lines += [f"  {m}" for m in self.pass_mismatches]
        else:
            lines.append("passes: every pass keeps the numpy results")
        if self.output_error:
            lines.append(f"outputs: compiling or running the program on {self.target} raised {self.output_error}")
        elif self.output_mismatches:
            lines.append(f"outputs: {self.target} differs from numpy:")
            lines += [f"  {m}" for m in self.output_mismatches]
        elif self.bad_pass is None or self.groups:
            lines.append(f"outputs: {self.target} agrees with numpy")
        bad = self.first_bad
        if bad is not None and bad.error is not None:
            lines.append(f"first failing group: #{bad.index} {bad.label}")
            lines.append(f"  compiling or running it on {self.target} raised {bad.error}")
        elif bad is not None:
            lines.append(f"first differing group: #{bad.index} {bad.label}")
            lines += [f"  {m}" for m in bad.mismatches]
        elif self.groups:
            lines.append(f"groups: all {len(self.groups)} agree with numpy on the reference inputs")
        return "\n".join(lines)


def _accumulates(op) -> bool:
    return any(o.name in ACCUMULATING for o in op.walk())


def label(op) -> str:
    """``fusion[pointwise] (add, tanh, mul) -> f32[4,8]`` or ``dot_general -> f32[4,4]``."""
    outs = ", ".join(str(spec_of_type(r.type)) for r in op.results)
    if op.name == "furcate.fusion":
        inner = [o.name.removeprefix("furcate.") for o in op.regions[0].block.ops if o.name != "furcate.yield"]
        return f"fusion[{op.properties['kind'].data}] ({', '.join(inner)}) -> {outs}"
    return f"{op.name.removeprefix('furcate.')} -> {outs}"


def group_program(op, constants: dict) -> Program:
    """A program computing only ``op``: its operands are the arguments, its results the outputs."""
    block = Block(arg_types=[v.type for v in op.operands])
    mapping = dict(zip(op.operands, block.args))
    new = op.clone(value_mapper=mapping)
    block.add_op(new)
    block.add_op(ReturnOp(*new.results))
    func = FuncOp("main", ([v.type for v in op.operands], [r.type for r in op.results]), Region(block))
    prog = Program(ModuleOp([func]), dict(constants))
    prog.verify()
    return prog


def _run(program: Program, target: str, inputs) -> list[np.ndarray]:
    from furcate.compiler import compile_program

    return [np.asarray(o) for o in compile_program(program.clone(), target, {"pipeline": "none"})(*inputs)]


def _compare_all(actual, expected, accumulated, rtol, atol, what) -> list[Mismatch]:
    out = []
    for i, (a, x) in enumerate(zip(actual, expected)):
        m = compare(a, x, accumulated, rtol, atol, f"{what} {i}")
        if m is not None:
            out.append(m)
    return out


def bisect(program: Program, inputs, target: str, pipeline: str = "default", *, rtol: float | None = None,
           atol: float | None = None, all_groups: bool = False) -> Report:
    """Locate where ``target`` (or a pass) computes different numbers than the NumPy
    reference (see the module docstring); stops at the first bad group unless ``all_groups``."""
    from furcate.backends import get_backend
    from furcate.backends.numpy import evaluate_op
    from furcate.compiler import resolve_target, run_pipeline
    from furcate.passes.pipeline import resolve

    target = resolve_target(target)
    backend = get_backend(target)
    program.verify()
    inputs = [np.asarray(a) for a in inputs]
    if len(inputs) != len(program.input_specs):
        raise ValueError(f"bisect: the program takes {len(program.input_specs)} input(s), got {len(inputs)}")
    accumulated = any(_accumulates(op) for op in program.func.body.block.ops)
    expected = _run(program, "numpy", inputs)
    names = resolve(pipeline)
    report = Report(target, names)
    done: list[str] = []

    def after_each(name, prog):
        done.append(name)
        if report.bad_pass is None:
            try:
                got = _run(prog, "numpy", inputs)
            except Exception as e:  # noqa: BLE001 - the pass made IR the reference cannot run
                report.pass_mismatches = [Mismatch("output", f"numpy raised {raised(e)}")]
            else:
                report.pass_mismatches = _compare_all(got, expected, accumulated, rtol, atol, "output")
            if report.pass_mismatches:
                report.bad_pass = name

    transformed = program.clone()
    try:
        run_pipeline(transformed, pipeline, after_each=after_each, capabilities=backend.capabilities())
    except Exception as e:  # noqa: BLE001 - a crashing pass is named like a wrong one
        if report.bad_pass is None:
            report.bad_pass = names[len(done)] if len(done) < len(names) else "(verification after the pipeline)"
            report.pass_error = raised(e)
        return report
    try:
        actual = _run(transformed, target, inputs)
    except Exception as e:  # noqa: BLE001 - the groups below say which one raises
        report.output_error = raised(e)
    else:
        report.output_mismatches = _compare_all(actual, expected, accumulated, rtol, atol, "output")

    env = dict(zip(transformed.func.body.block.args, inputs))
    ops = [op for op in transformed.func.body.block.ops if not isinstance(op, ReturnOp)]
    report.n_groups = sum(op.name not in SOURCES for op in ops)
    index = 0
    for op in ops:
        ins = [env[v] for v in op.operands]
        ref = evaluate_op(op, ins, transformed.constants)
        env.update(zip(op.results, ref))
        if op.name in SOURCES:
            continue
        try:
            got = _run(group_program(op, transformed.constants), target, ins)
        except Exception as e:  # noqa: BLE001 - a group that raises is the first bad group
            result = GroupResult(index, label(op), [], raised(e))
        else:
            result = GroupResult(index, label(op), _compare_all(got, ref, _accumulates(op), rtol, atol, "result"))
        report.groups.append(result)
        index += 1
        if not result.ok and not all_groups:
            break
    return report


__all__ = ["bisect", "compare", "Report", "GroupResult", "Mismatch", "group_program"]
