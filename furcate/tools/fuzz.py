"""The differential fuzzer: random well-typed programs on every backend against NumPy.

The programs and the check are the test suite's own (``random_programs.py``:
``programs(...)`` and ``check_against_numpy``), so the fuzzer needs
``hypothesis`` (the ``test`` extra), not a source checkout. ``fuzz(targets, examples=N)`` runs N examples per
target; a failure is shrunk by hypothesis to a minimal program, written to
``out_dir`` as ``<target>_<n>.mlir`` with its inputs (``.inputs.npz``) and
constants (``.constants.npz``), and reported with the command that reproduces
and localises it (``furcate bisect``). A target that cannot run on this machine
(``BackendUnavailable``: no GPU for triton, no C compiler...) is skipped with the
reason, not counted as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

class FuzzSetupError(RuntimeError):
    """The fuzzer cannot run here (no hypothesis)."""


def load_strategies():
    """``furcate.tools.random_programs`` (which needs hypothesis, the ``test`` extra)."""
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise FuzzSetupError("the fuzzer needs hypothesis (pip install 'furcate[test]' or pip install "
                             "hypothesis)") from None
    from furcate.tools import random_programs

    return random_programs


@dataclass
class Failure:
    """A minimal failing program of one target, and where its reproducer was written."""

    target: str
    error: str
    ir: str
    path: Path | None

    def text(self) -> str:
        first = self.error.strip().splitlines()[0] if self.error.strip() else "?"
        lines = [f"{self.target}: FAILED: {first}"]
        if self.path is not None:
            stem = self.path.with_suffix("")
            consts = f" --constants {stem}.constants.npz" if Path(f"{stem}.constants.npz").exists() else ""
            lines.append(f"  reproduce: furcate bisect {self.path} --inputs {stem}.inputs.npz{consts} "
                         f"--target {self.target}")
        return "\n".join(lines)


def _save(out_dir: Path, target: str, program, inputs) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    n = len(list(out_dir.glob(f"{target}_*.mlir")))
    path = out_dir / f"{target}_{n}.mlir"
    path.write_text(program.text())
    with open(out_dir / f"{target}_{n}.inputs.npz", "wb") as f:
        np.savez(f, *inputs)
    if program.constants:
        with open(out_dir / f"{target}_{n}.constants.npz", "wb") as f:
            np.savez(f, **program.constants)
    return path


def check_ops(ops) -> frozenset[str]:
    """``ops`` as a set, when the generator makes each of them (else ``ValueError``)."""
    known = load_strategies().ALL_STRATEGY_OPS
    unknown = sorted(set(ops) - known)
    if unknown:
        raise ValueError(f"the fuzzer generates no op(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}")
    return frozenset(ops)


def fuzz_target(target: str, examples: int, *, max_ops: int = 6, dtypes=None, ops=None, seed: int | None = None,
                out_dir: Path | None = None) -> Failure | None:
    """Run ``examples`` random programs on ``target``; the shrunk first failure, or None.
    ``dtypes`` and ``ops`` (op names of ``random_programs.ALL_STRATEGY_OPS``) restrict
    what the programs hold."""
    from hypothesis import HealthCheck, Verbosity, given, settings
    from hypothesis import seed as fixed_seed

    from furcate.backends import BackendUnavailable

    strategies = load_strategies()
    kwargs = {"max_ops": max_ops}
    if dtypes is not None:
        kwargs["dtypes"] = tuple(dtypes)
    if ops is not None:
        kwargs["ops"] = check_ops(ops)
    last: dict = {}

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False, verbosity=Verbosity.quiet,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(strategies.programs(**kwargs))
    def check(case):
        program, inputs = case
        try:
            strategies.check_against_numpy(program, inputs, target)
        except BackendUnavailable as e:
            last["unavailable"] = e
            raise
        except Exception as e:
            last["case"] = (program.clone(), [np.array(a, copy=True) for a in inputs], e)
            raise

    if seed is not None:
        check = fixed_seed(seed)(check)
    try:
        check()
    except Exception as e:  # noqa: BLE001 - any failure of the target is what we are looking for
        if "unavailable" in last and "case" not in last:
            raise last["unavailable"] from None  # the target cannot run here: not a failure
        if "case" not in last:
            raise
        program, inputs, err = last["case"]
        path = _save(out_dir, target, program, inputs) if out_dir is not None else None
        return Failure(target, f"{type(err).__name__}: {err}" if str(err) else repr(e), program.text(), path)
    return None


def unavailable_reason(target: str) -> str | None:
    """Why ``target`` cannot run on this machine (its backend raises ``BackendUnavailable``
    when loaded or when compiling a one-op program), or None when it can. An unknown
    target name raises ``ValueError``."""
    from furcate.backends import BackendUnavailable, get_backend
    from furcate.compiler import compile_program
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder

    try:
        get_backend(target)
        b = GraphBuilder()
        compile_program(b.finish([b.op("neg", b.arg(TensorSpec((2,), "f32")))]), target, {"name": "fuzz_probe"})
    except (BackendUnavailable, ImportError) as e:
        return str(e)
    return None


def available_targets() -> list[str]:
    """Every registered target but numpy (the reference) that runs on this machine."""
    from furcate.backends import targets

    return [t for t in targets() if t != "numpy" and unavailable_reason(t) is None]


def fuzz(targets: list[str] | None, examples: int, *, max_ops: int = 6, dtypes=None, ops=None,
         seed: int | None = None, out_dir: Path | None = None, echo=print) -> list[Failure]:
    """Fuzz each target (default: every registered one but numpy); returns the failures.
    Targets that cannot run here are echoed as skipped, with the reason."""
    from furcate.backends import BackendUnavailable, get_backend, targets as registered

    if targets:
        for t in targets:
            if t not in registered():
                get_backend(t)  # an unknown target name fails before any fuzzing (ValueError)
    else:
        targets = [t for t in registered() if t != "numpy"]
    if ops is not None:
        check_ops(ops)
    failures = []
    for t in targets:
        reason = unavailable_reason(t)
        if reason is not None:
            echo(f"{t}: skipped, not available here: {reason}")
            continue
        echo(f"{t}: {examples} example(s), up to {max_ops} ops each ...")
        try:
            f = fuzz_target(t, examples, max_ops=max_ops, dtypes=dtypes, ops=ops, seed=seed, out_dir=out_dir)
        except BackendUnavailable as e:
            echo(f"{t}: skipped, not available here: {e}")
            continue
        echo(f.text() if f else f"{t}: ok")
        if f:
            failures.append(f)
    return failures


__all__ = ["fuzz", "fuzz_target", "Failure", "load_strategies", "available_targets", "unavailable_reason",
           "FuzzSetupError"]
