"""``furcate bisect``: find the first group (fusion or op) whose numbers differ from NumPy."""

from __future__ import annotations

import os

from furcate.cli.common import CliError, load_npz, parse_specs, random_inputs

DIFFERS = 3  # exit status when a pass, the outputs or a group differ from the reference


def register(sub) -> None:
    p = sub.add_parser(
        "bisect",
        help="locate the pass or group whose results differ from the numpy reference",
        description="Compile a program for --target and compare it with the numpy reference: first each "
        "pass of the pipeline (evaluated on numpy), then the outputs, then every top-level group (a fusion "
        "or an unfused op) compiled alone for the target and fed the reference values of its operands. "
        "Names the first pass or group that differs beyond the per-dtype tolerance. PROGRAM is an IR file "
        f"(- for stdin) or MODULE_OR_FILE:FUNCTION as for `furcate compile`. Exit status {DIFFERS} when "
        "something differs, 0 when everything agrees.",
    )
    p.add_argument("source", metavar="PROGRAM", help="FILE.mlir, - (stdin) or MODULE_OR_FILE:FUNCTION")
    p.add_argument("--target", default="auto", help="backend to check (default: auto)")
    p.add_argument("-p", "--pipeline", default="default", metavar="PIPELINE",
                   help="pass pipeline to check (default: default)")
    p.add_argument("--input", action="append", metavar="SPEC", default=[],
                   help="argument type, e.g. 'f32[8,128]' (repeat per argument; needed for MODULE:FUNCTION)")
    p.add_argument("--inputs", metavar="FILE.npz", help="argument arrays (np.savez order) instead of random ones")
    p.add_argument("--constants", metavar="FILE.npz", help="arrays of an IR file's furcate.constant_ref ops")
    p.add_argument("--frontend", choices=("torch", "jax"), default="torch", help="for MODULE:FUNCTION (default: torch)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default: 0)")
    p.add_argument("--rtol", type=float, help="relative tolerance for every float dtype (default: per dtype)")
    p.add_argument("--atol", type=float, help="absolute tolerance for every float dtype (default: per dtype)")
    p.add_argument("--all", action="store_true", help="check every group, not only up to the first bad one")
    p.set_defaults(handler=run)


def is_ir_source(source: str) -> bool:
    """``-`` or an existing file that is not Python: IR; anything else is MODULE:FUNCTION."""
    return source == "-" or (os.path.isfile(source) and not source.endswith(".py"))


def load(args):
    """(program, inputs) for the arguments."""
    from furcate.cli.cmd_run import check_specs
    from furcate.dtypes import TensorSpec, from_numpy_dtype

    specs = parse_specs(args.input)
    given = list(load_npz(args.inputs, "inputs").values()) if args.inputs else None
    if is_ir_source(args.source):
        from furcate.cli.cmd_opt import load_program

        program = load_program(args.source, args.constants)
        if specs:
            check_specs(specs, program.input_specs, "--input")
    else:
        if ":" not in args.source:
            raise CliError(f"no such IR file: {args.source!r} (or give MODULE_OR_FILE:FUNCTION)")
        from furcate.cli.cmd_compile import capture_jax, capture_torch

        if given is not None:
            specs = [TensorSpec(a.shape, from_numpy_dtype(a.dtype)) for a in given]
        example = given if given is not None else random_inputs(specs, args.seed)
        program = (capture_torch if args.frontend == "torch" else capture_jax)(args.source, example)
    if given is not None:
        check_specs([TensorSpec(a.shape, from_numpy_dtype(a.dtype)) for a in given], program.input_specs, "--inputs")
        return program, given
    return program, random_inputs(program.input_specs, args.seed)


def run(args) -> int:
    from furcate.compiler import resolve_target
    from furcate.tools.bisect import bisect

    target = resolve_target(args.target)
    program, inputs = load(args)
    report = bisect(program, inputs, target, args.pipeline, rtol=args.rtol, atol=args.atol, all_groups=args.all)
    print(report.text())
    return 0 if report.ok else DIFFERS
