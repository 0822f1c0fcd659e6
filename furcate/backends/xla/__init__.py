"""The XLA backend: furcate IR → StableHLO → XLA (CPU here; GPU and TPU where JAX sees them).

``XlaBackend.compile`` lowers the whole program to one StableHLO module
(``lower.py``), compiles it with XLA's PJRT client (``pjrt.py``) and returns an
``Executable`` with one step that runs it. The platform is
``CompileOptions.xla_platform``, else ``$FURCATE_XLA_PLATFORM``, else JAX's
default backend. Weights (``furcate.constant_ref``) are moved to the device
once at compile time and passed to ``@main`` as trailing arguments. Inputs and
outputs move without copies where the platform allows (``pjrt.Runner``).

Errors: a module XLA rejects is a ``CompileError``; a failure while running it
(or moving weights to the device) is a ``pjrt.PjrtError``. Both are
``furcate.FurcateError``s; a compile or run failure quotes the StableHLO.

The StableHLO text is written as ``NAME.stablehlo.mlir`` into the dump
directory of the graph being compiled (``diagnostics.dump_kernel``, the
driver's dumper); called outside the driver with ``dump_dir``, the backend
opens a dump directory of its own.
"""

from __future__ import annotations

import os

from furcate.backends.base import Backend, BackendUnavailable, Capabilities
from furcate.backends.xla import pjrt
from furcate.backends.xla.lower import Lowered, excerpt, lower_program, lower_to_stablehlo
from furcate.diagnostics import Dumper, current_dumper, dump_kernel, log, timed
from furcate.errors import CompileError
from furcate.ir.program import Program
from furcate.options import CompileOptions
from furcate.runtime.executable import Executable, Step


class XlaBackend(Backend):
    name = "xla"

    def platform(self, options: CompileOptions | dict | None = None) -> str:
        chosen = CompileOptions.of(options).xla_platform or os.environ.get("FURCATE_XLA_PLATFORM")
        return chosen or pjrt.default_platform()

    @property
    def device(self) -> str:
        return f"xla:{self.platform()}"

    def capabilities(self) -> Capabilities:
        return Capabilities(target="xla", device=self.device, ops=None)

    def compile(self, program: Program, options: CompileOptions | dict | None = None) -> Executable:
        options = CompileOptions.of(options)
        platform = self.platform(options)
        with timed("xla:lower"):
            lowered = lower_program(program)
        name = options.name
        if current_dumper() is not None:
            dump_kernel(f"{name}.stablehlo.mlir", lowered.text)
        else:
            Dumper(options.dump_dir, f"{name}_xla").write(f"{name}.stablehlo.mlir", lowered.text)
        with timed("xla:compile"):
            try:
                compiled = pjrt.compile(lowered.text, platform)
            except pjrt.PjrtError as e:
                if "not available" in str(e):
                    raise BackendUnavailable(str(e)) from None
                raise CompileError(f"xla: {e}\n--- StableHLO ---\n{excerpt(lowered.text)}") from None
        log("codegen").debug("xla: compiled %s for %s (%d chars of StableHLO)", name, platform, len(lowered.text))
        return self._executable(program, lowered, compiled)

    def _executable(self, program: Program, lowered: Lowered, compiled: pjrt.Compiled) -> Executable:
        n_in = len(program.input_specs)
        weights = pjrt.to_device([program.constants[r] for r in lowered.constant_refs], compiled)
        const_slots = list(range(n_in, n_in + len(weights)))
        n_out = len(program.output_specs)
        out_slots = list(range(n_in + len(weights), n_in + len(weights) + n_out))
        text = lowered.text
        runner = pjrt.Runner(compiled, n_in)

        def run_xla(*args):
            try:
                return runner(*args)
            except pjrt.PjrtError as e:  # a run-time failure: a FurcateError quoting the module
                raise pjrt.PjrtError(f"xla: {e}\n--- StableHLO ---\n{excerpt(text)}") from None

        run_xla.runner = runner

        device = f"xla:{compiled.platform}"
        step = Step(run_xla, list(range(n_in)) + const_slots, out_slots, "xla:main", device, "xla")
        names = [getattr(a, "name_hint", None) for a in program.func.body.block.args]
        return Executable(
            input_specs=list(program.input_specs),
            output_specs=list(program.output_specs),
            steps=[step],
            output_slots=out_slots,
            constants=dict(zip(const_slots, weights)),
            target="xla",
            input_names=names,
            accepts_jax_arrays=True,
        )


__all__ = ["XlaBackend", "lower_to_stablehlo"]
