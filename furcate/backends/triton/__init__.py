"""The Triton backend: fused kernels rendered to ``@triton.jit`` source from the
shared kernel description (``furcate.backends.kernel``) and launched on CUDA
tensors — or, with ``TRITON_INTERPRET=1`` and no GPU, in Triton's interpreter
on CPU tensors (see ``runtime.mode()``).

Modules: ``exprs`` (scalar primitives as Triton expressions), ``body`` (the
node DAG, masks, reductions), ``codegen`` (pointwise and row-reduction
kernels), ``gemm`` (``tl.dot`` with its epilogue), ``launch`` (block sizes,
grids, GEMM autotuning), ``runtime`` (mode, source loading, launching),
``build`` (program -> steps, NumPy fallbacks, transfers), ``gpu_compile``
(ahead-of-time compile of generated kernels for a GPU target, no GPU needed).
"""

from __future__ import annotations

from furcate.backends.base import Backend, Capabilities
from furcate.backends.kernel import scalar
from furcate.diagnostics import Dumper, current_dumper, log, timed
from furcate.options import CompileOptions
from furcate.runtime.executable import Executable

TARGET = "triton"
# furcate ops a Triton kernel can compute (the rest run as NumPy steps)
TRITON_OPS = frozenset(scalar.elementwise_ops() | {
    "broadcast_in_dim", "transpose", "slice", "reshape", "iota", "constant", "constant_ref",
    "reduce", "dot_general", "transfer", "fusion", "yield",
})


class TritonBackend(Backend):
    name = TARGET
    device = "cuda"

    def capabilities(self) -> Capabilities:
        return Capabilities(target=TARGET, device="cuda", ops=TRITON_OPS,
                            fusion_kinds=frozenset({"pointwise", "reduction", "gemm"}))

    def compile(self, program, options: CompileOptions | dict | None = None) -> Executable:
        from furcate.backends.triton import runtime
        from furcate.backends.triton.build import build_executable

        mode = runtime.mode()  # BackendUnavailable without a GPU or TRITON_INTERPRET=1
        options = CompileOptions.of(options)
        name = options.name
        with timed("triton:build"):
            exe, units = build_executable(program, name)
        kernels = [s.kernel for s in exe.steps if hasattr(s.kernel, "module_source")]
        log("codegen").debug("triton: %s -> %d kernel(s), %d numpy step(s) [%s]", name, len(kernels),
                             sum(1 for s in exe.steps if s.target == "numpy"), mode)
        # the dump directory of the graph being compiled (the driver's dumper); called outside
        # the driver with dump_dir, the backend opens one of its own
        dumper = current_dumper() or Dumper(options.dump_dir, f"{name}_triton")
        if dumper.enabled:
            from furcate.backends.triton.gpu_compile import dump_kernels

            dump_kernels(dumper, kernels, units, mode)
        return exe


__all__ = ["TritonBackend", "TRITON_OPS"]
