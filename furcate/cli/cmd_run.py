"""``furcate run``: compile an IR file and run it on random (seeded) or given inputs."""

from __future__ import annotations

import time

import numpy as np

from furcate.cli.common import CliError, load_npz, parse_specs, random_inputs, save_npz, summarize
from furcate.cli.cmd_opt import load_program
from furcate.dtypes import TensorSpec, from_numpy_dtype


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="compile an IR file and run it on random or given inputs",
        description="Compile furcate IR for a target and run it once. Inputs are random (seeded) "
        "arrays of the program's argument types, or the arrays of --inputs FILE.npz in stored "
        "order. --input specs, when given, must match the program's arguments.",
    )
    p.add_argument("file", metavar="FILE.mlir", help="IR to run (- for stdin)")
    p.add_argument("--input", action="append", metavar="SPEC",
                   help="expected argument type, e.g. 'f32[8,128]' (repeat per argument)")
    p.add_argument("--inputs", metavar="FILE.npz", help="argument arrays (np.savez order)")
    p.add_argument("--constants", metavar="FILE.npz",
                   help="arrays for the program's furcate.constant_ref ops, by name")
    p.add_argument("--target", default="auto", help="backend to compile for (default: auto)")
    p.add_argument("-p", "--pipeline", default="default", metavar="PIPELINE",
                   help="pass pipeline to run before the backend (default: default)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default: 0)")
    p.add_argument("--output", metavar="FILE.npz", help="save the outputs here (as out0, out1, ...)")
    p.set_defaults(handler=run)


def check_specs(given: list[TensorSpec], expected: list[TensorSpec], what: str) -> None:
    if len(given) != len(expected):
        raise CliError(f"{what}: the program takes {len(expected)} argument(s) "
                       f"({', '.join(map(str, expected)) or 'none'}), got {len(given)}")
    for i, (g, e) in enumerate(zip(given, expected)):
        if g != e:
            raise CliError(f"{what}: argument {i} is {e} in the program, got {g}")


def run(args) -> int:
    from furcate.compiler import compile_program

    given = parse_specs(args.input)
    program = load_program(args.file, args.constants)
    specs = program.input_specs
    if given:
        check_specs(given, specs, "--input")
    if args.inputs:
        inputs = list(load_npz(args.inputs, "inputs").values())
        check_specs([TensorSpec(a.shape, from_numpy_dtype(a.dtype)) for a in inputs], specs, "--inputs")
        source = args.inputs
    else:
        inputs = random_inputs(specs, args.seed)
        source = f"random, seed {args.seed}"
    t0 = time.perf_counter()
    exe = compile_program(program, args.target, {"pipeline": args.pipeline, "name": "main"})
    t_compile = time.perf_counter() - t0
    t0 = time.perf_counter()
    outputs = [np.asarray(o) for o in exe(*inputs)]
    t_run = time.perf_counter() - t0
    print(f"ran {args.file} on {exe.target}: {len(exe.steps)} step(s), compile {t_compile * 1e3:.1f} ms, "
          f"run {t_run * 1e3:.1f} ms; inputs: {source}")
    for i, (o, spec) in enumerate(zip(outputs, exe.output_specs)):
        print(f"  out{i}: {spec}  {summarize(o)}")
    if args.output:
        save_npz(args.output, {f"out{i}": o for i, o in enumerate(outputs)})
        print(f"saved outputs to {args.output}")
    return 0
