"""``furcate opt``: run passes on furcate IR text and print the result (like ``mlir-opt``)."""

from __future__ import annotations

import sys

from furcate.cli.common import CliError, load_npz, read_text, write_text

# the pseudo-passes that print what a backend makes of the result instead of furcate IR
# (one of them, last): StableHLO text, the C source, the Triton kernels
LOWER_STABLEHLO = "lower-stablehlo"
EMIT_C = "emit-c"
EMIT_TRITON = "emit-triton"
TERMINAL = (LOWER_STABLEHLO, EMIT_C, EMIT_TRITON)


def register(sub) -> None:
    p = sub.add_parser(
        "opt",
        help="run passes on furcate IR and print the result",
        description="Parse furcate IR (a file, or - for stdin), run the named passes or pipelines "
        f"in order and print the resulting IR. A final pass '{LOWER_STABLEHLO}' prints StableHLO "
        f"text instead of furcate IR, '{EMIT_C}' the C backend's source, '{EMIT_TRITON}' the Triton "
        "kernels (compiling and running nothing).",
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE.mlir", help="IR to read (default: - , stdin)")
    p.add_argument("-p", "--pipeline", default="none", metavar="PIPELINE",
                   help="comma-separated passes or pipeline names, e.g. canonicalize,cse (default: none)")
    p.add_argument("--print-ir-after-all", action="store_true",
                   help="print the IR after every pass to stderr")
    p.add_argument("--constants", metavar="FILE.npz",
                   help="arrays for the program's furcate.constant_ref ops, by name")
    p.add_argument("-o", "--output", metavar="OUT", help="write the result here (default: stdout)")
    p.set_defaults(handler=run)


def split_pipeline(spec: str) -> tuple[list[str], str | None]:
    """The furcate pass specs of ``spec`` and the pseudo-pass it ends in (``TERMINAL``), if any."""
    from furcate.passes.pipeline import parse_specs, resolve

    try:
        specs = parse_specs(spec)
    except ValueError as e:
        raise CliError(str(e)) from None
    last = specs[-1].name if specs and specs[-1].name in TERMINAL else None
    if last:
        specs = specs[:-1]
    for a in specs:
        if a.name in TERMINAL:
            raise CliError(f"pass {a.name!r} must come last in the pipeline")
    try:
        return resolve([str(a) for a in specs]), last
    except ValueError as e:
        raise CliError(f"{e}; also {', '.join(TERMINAL)} (as the last pass)") from None


def load_program(path: str, constants_path: str | None):
    """Parse and verify the program in ``path`` (``-``: stdin) with its constants. Errors
    say ``FILE:LINE:COL: message``: parse errors as xDSL reports them, a verifier failure
    at the op that fails, an undefined value at its first use (``furcate.cli.locate``)."""
    from furcate.cli import locate
    from furcate.ir.program import IRError, Program, parse_ir

    text, name = read_text(path)
    if locate.is_empty(text):
        raise IRError(f"{name}: empty input: expected a builtin.module")
    constants = load_npz(constants_path, "constants") if constants_path else {}
    try:
        module = parse_ir(text, name)
    except IRError as e:
        use = locate.first_use(text, str(e))
        if use is not None:
            value, line, col = use
            raise IRError(f"{name}:{line}:{col}: value {value} is used but never defined") from None
        raise
    program = Program(module, constants)
    try:
        program.verify()
    except IRError as e:
        msg = str(e)
        if "unknown constant" in msg and not constants_path:
            msg += " (pass its array with --constants FILE.npz)"
        where = locate.verifier_location(module, text, msg)
        if where is None:
            raise IRError(msg) from None
        op_name, line, col = where
        raise IRError(f"{name}:{line}:{col}: {msg if op_name in msg else f'{op_name}: {msg}'}") from None
    return program


def lower_to_stablehlo(program) -> str:
    try:
        from furcate.backends.xla import lower_to_stablehlo as lower
    except ImportError as e:
        raise CliError(
            f"{LOWER_STABLEHLO} needs furcate.backends.xla.lower_to_stablehlo, which is not available here ({e})"
        ) from None
    return lower(program)


def emit(program, last: str) -> str:
    if last == LOWER_STABLEHLO:
        return lower_to_stablehlo(program)
    if last == EMIT_C:
        from furcate.backends.c import c_source

        return c_source(program)
    try:
        from furcate.backends.triton.build import triton_source
    except ImportError as e:
        raise CliError(f"{EMIT_TRITON} needs the triton backend, which does not import here ({e})") from None
    return triton_source(program)


def run(args) -> int:
    from furcate.compiler import run_pipeline

    passes, last = split_pipeline(args.pipeline)
    program = load_program(args.file, args.constants)

    def after(name, prog):
        print(f"// -----// IR Dump After {name} //----- //\n{prog.text()}", file=sys.stderr, flush=True)

    run_pipeline(program, passes, after_each=after if args.print_ir_after_all else None)
    text = emit(program, last) if last else program.text()
    if not text.endswith("\n"):
        text += "\n"
    write_text(args.output, text)
    return 0
