"""``furcate fuzz``: random well-typed programs on each backend, checked against NumPy."""

from __future__ import annotations

from pathlib import Path

from furcate.cli.common import CliError


def register(sub) -> None:
    p = sub.add_parser(
        "fuzz",
        help="differential fuzzing: random programs on each backend against the numpy reference",
        description="Generate random well-typed furcate programs (furcate/tools/random_programs.py: every dtype, size-0/1 "
        "dims, broadcasting, NaN/inf, integer edge values), run them on each --target and on numpy, and "
        "compare. A failure is shrunk to a minimal program and saved under --out with its inputs, with the "
        "`furcate bisect` command that reproduces it. A target that cannot run here (e.g. triton without a "
        "GPU or TRITON_INTERPRET=1) is skipped with the reason. Needs a source checkout and hypothesis. Exit "
        "status 3 when a target failed.",
    )
    p.add_argument("--target", action="append", metavar="T",
                   help="backend to fuzz (repeat; default: every available backend but numpy)")
    p.add_argument("--examples", type=int, default=100, metavar="N", help="programs per target (default: 100)")
    p.add_argument("--max-ops", type=int, default=6, metavar="K", help="ops per program (default: 6)")
    p.add_argument("--dtype", action="append", metavar="DT", help="restrict to these dtypes (repeat)")
    p.add_argument("--op", action="append", metavar="OP",
                   help="restrict the programs to these ops, e.g. convolution (repeat; default: every op the "
                   "generator knows)")
    p.add_argument("--seed", type=int, help="hypothesis seed (default: random)")
    p.add_argument("--out", metavar="DIR", default="fuzz-failures",
                   help="where failing programs are written (default: ./fuzz-failures)")
    p.set_defaults(handler=run)


def run(args) -> int:
    from furcate.dtypes import DTYPES
    from furcate.tools.fuzz import FuzzSetupError, fuzz

    if args.examples < 1 or args.max_ops < 1:
        raise CliError("--examples and --max-ops must be at least 1")
    bad = sorted(set(args.dtype or []) - set(DTYPES))
    if bad:
        raise CliError(f"--dtype: unknown dtype(s) {', '.join(bad)}; valid: {', '.join(DTYPES)}")
    try:
        failures = fuzz(args.target, args.examples, max_ops=args.max_ops, dtypes=args.dtype, ops=args.op,
                        seed=args.seed, out_dir=Path(args.out))
    except FuzzSetupError as e:
        raise CliError(str(e)) from None
    print(f"{len(failures)} target(s) failed" if failures else "no failures")
    return 3 if failures else 0
