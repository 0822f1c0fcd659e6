"""Inference graphs without AOTAutograd's runtime wrapper.

``torch.compile`` calls what a backend returns once per call of the compiled frame. Through
``aot_autograd`` that is AOTAutograd's runtime wrapper (a few layers of Python around the
compiled forward: argument lists, the input-mutation and output-alias epilogues, autocast
and grad-mode bookkeeping), about 5 µs a call on a 2-core machine -- as much as a small
kernel. For an inference graph none of those layers has anything to do, and the backend
returns the compiled forward itself (``torch_backend._boxed``'s ``furcate_unboxed`` entry),
called with Dynamo's arguments as they come.

"None of the layers has anything to do" is read from AOTAutograd's own analysis of the graph
(the ``ViewAndMutationMeta`` it leaves on the tracing context while the forward compiles),
never guessed. Every condition below must hold, else the wrapped function is kept:

- grad mode off and no autocast when Dynamo compiled the frame (it guards both, so a call
  under other modes recompiles), and AOTAutograd chose its inference path;
- the graph module holds no parameters or buffers and every graph input is a plain CPU or
  device tensor (no ints, symbolic sizes, lists or tensor subclasses), and the forward that
  furcate compiled takes exactly Dynamo's inputs in Dynamo's order (no duplicated input
  removed, no synthetic base, no effect tokens, no RNG state);
- no input is mutated (data, metadata or storage), no output aliases an input or an
  intermediate, the graph does not change grad mode, RNG ops are not functionalized.
"""

from __future__ import annotations

import torch

_PLAIN = (torch.Tensor, torch.nn.Parameter)


def inference_meta():
    """AOTAutograd's view-and-mutation analysis of the graph being compiled (None outside
    an AOTAutograd compile or on a torch without it)."""
    ctx = torch._guards.TracingContext.try_get()
    return getattr(ctx, "fw_metadata", None)


def can_pass_through(gm: torch.fx.GraphModule, example_inputs, fw_graph: torch.fx.GraphModule, meta) -> bool:
    """True where calling the compiled forward directly is exactly what AOTAutograd's
    runtime wrapper would do (the conditions in the module docstring)."""
    try:
        from torch._functorch._aot_autograd.schemas import OutputType
    except ImportError:  # pragma: no cover -- a torch that moved it: keep the wrapper
        return False
    # grad mode off: AOTAutograd took its inference path (no backward graph)
    if meta is None or torch.is_grad_enabled() or torch._C._is_any_autocast_enabled():
        return False
    if getattr(meta, "is_rng_op_functionalized", True) or getattr(meta, "dynamic_outputs", True):
        return False
    if any(True for _ in gm.parameters()) or any(True for _ in gm.buffers()):
        return False
    if not all(type(x) in _PLAIN for x in example_inputs):
        return False
    phs = [n for n in fw_graph.graph.nodes if n.op == "placeholder"]
    if len(phs) != len(example_inputs) or len(meta.input_info) != len(example_inputs):
        return False
    for ph, x in zip(phs, example_inputs):
        v = ph.meta.get("val")
        if not isinstance(v, torch.Tensor) or tuple(v.shape) != tuple(x.shape) or v.dtype != x.dtype:
            return False
    if meta.tokens or meta.num_intermediate_bases or meta.grad_enabled_mutation is not None:
        return False
    if meta.num_mutated_inp_runtime_indices or meta.num_outputs_aliased:
        return False
    if any(i.mutates_data or i.mutates_metadata or i.mutates_storage_metadata for i in meta.input_info):
        return False
    return all(o.output_type == OutputType.non_alias for o in meta.output_info)

