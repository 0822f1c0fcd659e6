"""From a program to Triton kernels, NumPy fallback steps and the ``Executable``.

The walk into units is the kernel backends' shared one
(``furcate.backends.kernel.units``): a group becomes a kernel when it lowers
and the Triton renderer renders it; an op with no Triton rendering (gather,
scatter, convolution, ...) runs as a NumPy step.

Every value of a Triton executable is a torch tensor on the kernels' device
(``runtime.device()``: CUDA on a GPU, the CPU in the interpreter): intermediates
never leave it between Triton steps. A NumPy step sees NumPy views of its inputs
(downloads on a GPU) and its results are wrapped back. ``TritonExecutable``
takes torch tensors on that device as they are (and returns torch tensors), or
NumPy arrays (wrapped on entry, returned as NumPy arrays).
"""

from __future__ import annotations

from furcate.backends.kernel.desc import Kernel
from furcate.backends.kernel.lower import lower_group, short
from furcate.backends.kernel.simplify import merge_vars
from furcate.backends.kernel.steps import SlotBuilder
from furcate.backends.kernel.units import KUnit, NUnit
from furcate.backends.kernel.units import Units as _Units
from furcate.backends.triton import runtime
from furcate.backends.triton.codegen import Rendered, check_dtypes, module_source, render_pointwise, render_reduction
from furcate.backends.triton.exprs import TritonRenderError
from furcate.backends.triton.gemm import render_gemm
from furcate.backends.triton.launch import reduction_looped
from furcate.runtime.executable import Executable, Step

TARGET = "triton"


def render_kernel(k: Kernel, name: str, *, interpret: bool, tf32: bool = False,
                  looped: bool | None = None) -> tuple[Kernel, Rendered]:
    """The (simplified) kernel and its rendering; ``looped`` forces a reduction form."""
    check_dtypes(k)
    if k.kind == "gemm":
        return k, render_gemm(k, name, tf32, interpret)
    k = merge_vars(k)
    if k.kind == "pointwise":
        return k, render_pointwise(k, name)
    red = 1
    for e in k.reduce:
        red *= e
    if looped is None:
        looped = reduction_looped(red, interpret)
    return k, render_reduction(k, name, looped)


def lower_and_render(ops, inputs, outputs, name: str, interpret: bool) -> tuple[Kernel, Rendered]:
    k = lower_group(ops, inputs, outputs, name)
    tf32 = any(short(o) == "dot_general" and o.attrs().get("precision") == "tf32" for o in ops)
    return render_kernel(k, f"fc_{name}", interpret=interpret, tf32=tf32)


class Units(_Units):
    """The units of one program for Triton: each kernel rendered (``interpret``: for the
    interpreter), named ``{prefix}{position}``."""

    target = TARGET
    render_errors = (TritonRenderError,)

    def __init__(self, program, interpret: bool, prefix: str):
        self.interpret = interpret
        self.prefix = prefix
        super().__init__(program)

    def kernel_unit(self, ops, inputs, outer, outputs) -> KUnit:
        k, r = lower_and_render(ops, inputs, outputs, f"{self.prefix}{len(self.units)}", self.interpret)
        return KUnit(k, list(outer), list(outputs), r)


class TritonExecutable(Executable):
    """An ``Executable`` whose steps run on torch tensors on ``torch_device``.

    Called with torch tensors (on that device) it returns torch tensors; called with
    NumPy arrays (furcate.jit, the CLI) it wraps them (``runtime.as_tensor``: views in
    the interpreter, one upload each on a GPU) and returns NumPy arrays."""

    def run_unchecked(self, args) -> list:
        outs = super().run_unchecked([runtime.as_tensor(a) for a in args])
        if args and all(runtime.is_tensor(a) for a in args):
            return outs
        return [runtime.to_numpy(t) for t in outs]


def numpy_step(kernel):
    """A NumPy kernel as a step on tensors: NumPy views of the inputs in, tensors of the results out."""
    def run(*tensors):
        return [runtime.as_tensor(r) for r in kernel(*[runtime.to_numpy(t) for t in tensors])]
    return run


def triton_source(program, name: str = "main", interpret: bool = False) -> str:
    """The Triton kernels the backend would launch for ``program``, in order, with a
    comment for each step left to NumPy: what ``furcate opt -p ...,emit-triton`` prints
    (``interpret``: the forms the interpreter runs). Compiles and launches nothing."""
    units = Units(program, interpret, f"{name}_k".replace(".", "_"))
    out = []
    for u in units.units:
        if isinstance(u, NUnit):
            out.append(f"# numpy step: {u.op.name}\n")
        else:
            out.append(f"# kernel {u.rendered.name} [{u.rendered.kind}]\n{u.rendered.source}")
    return "\n".join(out)


def build_executable(program, name: str) -> tuple[Executable, Units]:
    dev = runtime.device()
    units = Units(program, dev != "cuda", f"{name}_k".replace(".", "_"))
    # constants (weights): on the device once, at build time
    b = SlotBuilder(program, units, TARGET, device=dev, hold=runtime.as_tensor)
    root = units.root
    for u in units.units:
        if isinstance(u, NUnit):
            b.add_numpy(u, numpy_step)
            continue
        src = module_source([u.rendered.source])
        call = runtime.Launcher(u.rendered, src, u.kernel.buffers, u.kernel.const_data)
        call.module_source = src
        ins = [b.slot_of(root(v)) for v in u.inputs]
        outs = b.results([root(v) for v in u.outputs])
        b.steps.append(Step(call, ins, outs, name=f"triton[{u.rendered.kind}]:{u.rendered.name}",
                            device=dev, target=TARGET))
    out_slots: list[int] = []
    for v in units.returned:
        s = b.slot_of(v)
        if s < b.n_in or s in b.constants or s in out_slots or _views_input(b, s):
            s = b.add_copy(s, lambda a: a.clone())
        out_slots.append(s)
    return b.executable(out_slots, TritonExecutable, torch_device=dev), units


def _views_input(b: SlotBuilder, s: int) -> bool:
    """True if slot ``s`` is a reshape view (chain) of an input or a constant: returning it
    would hand the caller memory it does not own."""
    by_out = {st.outputs[0]: st for st in b.steps if st.name == "view"}
    while s in by_out:
        s = by_out[s].inputs[0]
    return s < b.n_in or s in b.constants
