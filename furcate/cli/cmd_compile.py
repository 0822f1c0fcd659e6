"""``furcate compile``: capture a PyTorch or JAX function, compile it, and say what happened."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

from furcate.cli.common import CliError, add_function_arguments, parse_specs, random_inputs


def register(sub) -> None:
    p = sub.add_parser(
        "compile",
        help="capture a PyTorch/JAX function and compile it",
        description="Import MODULE_OR_FILE (a dotted module or a .py file), take FUNCTION from it, "
        "trace it on random inputs of the --input specs with the chosen frontend, compile it for "
        "--target and print a summary. Torch: an nn.Module subclass is instantiated with no "
        "arguments, an nn.Module instance is used as is, a function with no parameters is called "
        "as a factory that must return an nn.Module, any other function is traced as it is "
        "(inference: under torch.no_grad()). JAX: FUNCTION is a function of the inputs.",
    )
    add_function_arguments(p, "model.py:MLP or mypkg.nets:make_mlp")
    p.add_argument("--target", default="auto", help="backend to compile for (default: auto)")
    p.add_argument("-p", "--pipeline", default="default", metavar="PIPELINE",
                   help="pass pipeline to run before the backend (default: default)")
    p.add_argument("--dump-dir", metavar="DIR",
                   help="write the IR after each stage, the executable and timings under DIR")
    p.add_argument("--print-ir-after-all", action="store_true", help="print the IR after every pass")
    p.add_argument("--seed", type=int, default=0, help="seed of the random example inputs (default: 0)")
    p.set_defaults(handler=run)


def capture_torch(target: str, inputs: list[np.ndarray]):
    """The furcate Program of a torch function/module traced on ``inputs``."""
    from furcate.cli.loading import check_input_count, load_torch_callable

    fn = load_torch_callable(target)  # imports torch once the user's module is found
    check_input_count(fn, len(inputs), target)
    import torch

    from furcate.frontend.torch_fx import capture

    tensors = [torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16) if a.dtype.name == "bfloat16"
               else torch.from_numpy(a) for a in inputs]
    with torch.no_grad():
        return capture(fn, tensors)


def capture_jax(target: str, inputs: list[np.ndarray]):
    """The furcate Program of a JAX function traced on ``inputs``."""
    from furcate.cli.loading import check_input_count, load_jax_callable

    fn = load_jax_callable(target)
    check_input_count(fn, len(inputs), target)
    try:
        import jax.numpy as jnp
    except ImportError:
        raise CliError("--frontend jax needs JAX (pip install 'furcate[jax]')") from None
    from furcate.frontend.jaxpr import capture

    program, _out_tree = capture(fn, [jnp.asarray(a) for a in inputs])
    return program


def check_dump_dir(path: str) -> None:
    """Fail early, in one line, when the dump directory cannot be created or written."""
    d = Path(path)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"--dump-dir: cannot create {path!r}: {e.strerror or e}") from None
    if not os.access(d, os.W_OK | os.X_OK):
        raise CliError(f"--dump-dir: {path!r} is not writable")


def find_dump(root: str) -> str | None:
    """The directory the driver's Dumper wrote this process's graph to (newest first)."""
    dirs = sorted(Path(root).glob(f"{os.getpid()}_*"), key=lambda p: p.stat().st_mtime, reverse=True)
    return str(dirs[0]) if dirs else None


def run(args) -> int:
    import furcate
    from furcate.compiler import compile_program, resolve_target

    specs = parse_specs(args.input)
    target = resolve_target(args.target)  # an unknown target fails before any tracing
    if args.dump_dir:
        check_dump_dir(args.dump_dir)
    name = args.target_fn.rpartition(":")[2] or "main"
    inputs = random_inputs(specs, args.seed)
    furcate.stats(reset=True)
    t0 = time.perf_counter()
    program = (capture_torch if args.frontend == "torch" else capture_jax)(args.target_fn, inputs)
    t_capture = time.perf_counter() - t0
    n_in = sum(1 for op in program.func.body.walk() if op.name.startswith("furcate."))
    options = {"name": name, "pipeline": args.pipeline, "print_ir_after_all": args.print_ir_after_all}
    if args.dump_dir:
        options["dump_dir"] = args.dump_dir
    t0 = time.perf_counter()
    exe = compile_program(program, target, options)
    t_compile = time.perf_counter() - t0
    print(summary(args, program, exe, furcate.stats(), t_capture, t_compile, n_in))
    return 0


def summary(args, program, exe, stats: dict, t_capture: float, t_compile: float, n_in: int) -> str:
    ops = Counter(stats["ops_compiled"])
    kernels = Counter(s.target for s in exe.steps)
    stages = stats["compile_time_s"]
    lines = [
        f"compiled {args.target_fn} ({args.frontend}) for {exe.target} in {(t_capture + t_compile) * 1e3:.1f} ms "
        f"(capture {t_capture * 1e3:.1f} ms, compile {t_compile * 1e3:.1f} ms)",
        f"  inputs:  {', '.join(map(str, exe.input_specs)) or '(none)'}",
        f"  outputs: {', '.join(map(str, exe.output_specs)) or '(none)'}",
        f"  ops:     {sum(ops.values())} after passes (captured: {n_in})  "
        + ", ".join(f"{k.removeprefix('furcate.')} {v}" for k, v in ops.most_common()),
        f"  steps:   {len(exe.steps)}  kernels: "
        + (", ".join(f"{t} {n}" for t, n in sorted(kernels.items())) or "none"),
    ]
    if program.constants:
        nbytes = sum(a.nbytes for a in program.constants.values())
        lines.append(f"  constants: {len(program.constants)} ({nbytes / 1024:.1f} KiB, held by the executable)")
    if stages:
        lines.append("  time:    " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in stages.items()))
    if args.dump_dir:
        lines.append(f"  dump:    {find_dump(args.dump_dir) or args.dump_dir}")
    return "\n".join(lines)
