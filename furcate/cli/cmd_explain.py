"""``furcate explain``: capture a function, place it on devices, and say why each group went where."""

from __future__ import annotations

from furcate.cli.common import CliError, add_function_arguments, parse_specs, random_inputs, write_text


def register(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="show where each part of a function would run, and why",
        description="Capture MODULE_OR_FILE:FUNCTION like `furcate compile`, run the pass pipeline "
        "with placement over --devices, and print for every group the device chosen, its estimated "
        "time on each device, the transfers it reads and the reason (fastest, pinned, capacity, "
        "transfer-bound, unsupported); then the plan's total against all-on-one-device plans.",
    )
    add_function_arguments(p, "model.py:MLP")
    p.add_argument("--devices", metavar="LIST",
                   help="comma-separated devices: names of this machine's devices (cpu, xla:cpu, cuda:0) "
                   "or simulated parts (sim:h100, sim:a100, sim:tpu-v5e...); default: this machine's")
    p.add_argument("--pin", action="append", metavar="KEY=DEVICE", default=[],
                   help="pin an op kind, fusion kind (fusion:gemm) or group name glob to a device")
    p.add_argument("--html", metavar="FILE", help="also write an HTML picture of the placed graph")
    p.add_argument("--seed", type=int, default=0, help="seed of the random example inputs (default: 0)")
    p.set_defaults(handler=run)


def parse_pins(texts: list[str]) -> dict[str, str]:
    """``--pin KIND=DEVICE`` values, read as the place pass reads its ``pins`` option."""
    from furcate.passes.place_pass import parse_pins as parse

    try:
        return parse(texts, "--pin")
    except ValueError as e:
        raise CliError(str(e)) from None


def run(args) -> int:
    from furcate.cli.cmd_compile import capture_jax, capture_torch
    from furcate.compiler import run_pipeline
    from furcate.compiler import placement_pipeline
    from furcate.passes.explain import html, report
    from furcate.runtime import devices as dev_mod

    specs = parse_specs(args.input)
    pins = parse_pins(args.pin)
    import furcate.devices as public  # registers the backends' microbenchmarks

    here = public.machine()
    machine = here
    if args.devices:
        machine = dev_mod.resolve(args.devices, base=here)
        if "cpu" not in machine.names:  # inputs arrive on the host: keep it in the plan
            machine = dev_mod.Machine((here["cpu"], *machine.devices), machine.peer_links)
    inputs = random_inputs(specs, args.seed)
    program = (capture_torch if args.frontend == "torch" else capture_jax)(args.target_fn, inputs)
    plan = placement_pipeline(program, {"placement": pins}, machine, run_pipeline)
    print(report(plan))
    if args.html:
        write_text(args.html, html(plan, f"furcate placement of {args.target_fn}"))
        print(f"wrote {args.html}")
    return 0
