"""FX (ATen) graph -> furcate ``Program``, and ``capture`` for the CLI.

``convert_graph(gm)`` walks a graph whose ``node.meta['val']`` values are concrete
(fake) tensors and builds one furcate program: tensor placeholders become program
arguments, ``get_attr`` tensors become constants (large ones held by the program,
never printed), every ``call_function`` goes through the converter table in
``torch_ops``. ``unsupported_reason(node)`` is the capability check the torch
backend's partitioner uses. Shape arithmetic (``sym_size``, SymInt ops) is taken
from the concrete meta values: the caller resolves symbolic shapes first.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass

import ml_dtypes
import numpy as np
import torch
import torch.fx
from torch._subclasses.fake_tensor import unset_fake_temporarily
from torch.fx.experimental.symbolic_shapes import free_unbacked_symbols
from torch.utils import _pytree as pytree

from furcate.dtypes import TensorSpec
from furcate.errors import UnsupportedError
from furcate.frontend.torch_ops import SCALAR_TARGETS, TORCH_DTYPES, Cx, is_tensor_val, lookup, spec_of_val
from furcate.ir.builder import GraphBuilder, spec
from furcate.ir.program import Program

_SYM_TYPES = (torch.SymInt, torch.SymFloat, torch.SymBool)


def op_name(node: torch.fx.Node) -> str:
    """A readable name of a node's target: ``aten.cummax.default``, ``operator.getitem``."""
    t = node.target
    if isinstance(t, torch._ops.OpOverload):
        return str(t)
    return f"{getattr(t, '__module__', '') or ''}.{getattr(t, '__name__', str(t))}".lstrip(".")


def _tensor_ok(v) -> str | None:
    if v.dtype not in TORCH_DTYPES:
        return f"dtype {v.dtype} has no furcate equivalent"
    if v.device.type not in ("cpu", "cuda", "meta"):  # CUDA tensors: see torch_backend's input routing
        return f"device {v.device} is not supported"
    if v.layout != torch.strided:
        return f"layout {v.layout} is not supported"
    return None


def unsupported_reason(node: torch.fx.Node) -> str | None:
    """Why furcate cannot convert this node, or None when it can."""
    if node.op != "call_function":
        return None
    val = node.meta.get("val")
    if node.target is operator.getitem:
        src = node.args[0]
        return unsupported_reason(src) if isinstance(src, torch.fx.Node) else "getitem of a constant"
    if node.target in SCALAR_TARGETS:
        if isinstance(val, _SYM_TYPES) and free_unbacked_symbols(val):
            return "data-dependent size"
        return None
    conv = lookup(node.target)
    if conv is None:
        return "no furcate conversion for this op"
    for v in [*pytree.tree_leaves(val), *(_meta_leaves(a) for a in node.args)]:
        if is_tensor_val(v) and (why := _tensor_ok(v)):
            return why
        if isinstance(v, _SYM_TYPES) and free_unbacked_symbols(v):
            return "data-dependent size"
    if conv.check is not None:
        ok = conv.check(node)  # True, False, or a string saying why not
        if isinstance(ok, str):
            return ok
        if not ok:
            return "these arguments are not supported"
    return None


def _meta_leaves(arg):
    if isinstance(arg, torch.fx.Node):
        return arg.meta.get("val")
    return None


def has_symbols(gm: torch.fx.GraphModule) -> bool:
    """True if any placeholder's meta value has symbolic sizes (dynamic shapes)."""
    for node in gm.graph.nodes:
        if node.op != "placeholder":
            continue
        for v in pytree.tree_leaves(node.meta.get("val")):
            if isinstance(v, _SYM_TYPES):
                return True
            if is_tensor_val(v) and any(isinstance(s, torch.SymInt) for s in (*v.shape, *v.stride())):
                return True
    return False


def _concrete(val, node):
    if isinstance(val, _SYM_TYPES):
        raise UnsupportedError(f"{node.name}: symbolic value {val} (resolve shapes before converting)")
    return val


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A NumPy view of a CPU tensor (no copy); bf16 through an int16 view."""
    t = t.detach()
    if t.device.type != "cpu":
        raise TypeError(f"furcate's torch frontend takes CPU tensors, got one on {t.device}")
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.resolve_conj().resolve_neg().numpy()


@dataclass
class Conversion:
    """A converted graph: the program and how to call it from the graph's inputs and back.

    ``tensor_inputs`` are the placeholder positions passed to the program; each entry of
    ``outputs`` is ("out", k, shape, stride, device) for program result k (``device``: the
    ``torch.device`` eager would return it on), ("input", i) for a
    placeholder returned as is, ("value", v) for a non-tensor value, or ("none",)."""

    program: Program
    tensor_inputs: list[int]
    input_names: list[str]
    outputs: list[tuple]
    out_spec: object = None  # pytree spec of the graph's return value


def convert_graph(gm: torch.fx.GraphModule, name: str = "main", input_names=None,
                  inputs_as_results: bool = False) -> Conversion:
    """Convert an ATen FX graph with concrete ``meta['val']`` to a furcate program;
    raises ``UnsupportedError`` naming the first op furcate cannot express.

    A placeholder returned unchanged is handed back as the caller's own object
    (``("input", i)``), or, with ``inputs_as_results``, returned by the program."""
    b = GraphBuilder(name)
    cx = Cx(b)
    env: dict = {}
    tensor_inputs, names = [], []
    placeholders = 0
    outputs, out_spec, results = [], None, []
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            val = node.meta.get("val")
            if is_tensor_val(val):
                pname = input_names[placeholders] if input_names else node.name
                env[node] = b.arg(spec_of_val(val), name=pname)
                tensor_inputs.append(placeholders)
                names.append(pname)
            else:
                env[node] = _concrete(val, node)
            placeholders += 1
        elif node.op == "get_attr":
            attr = _fetch_attr(gm, node.target)
            if isinstance(attr, torch.Tensor):
                with unset_fake_temporarily():  # compilers may run inside the tracer's fake mode
                    attr = to_numpy(attr.detach().cpu()).copy()
                attr = b.constant(attr, name=node.target)
            env[node] = attr
        elif node.op == "call_function":
            env[node] = _convert_node(cx, node, env)
        elif node.op == "output":
            flat, out_spec = pytree.tree_flatten(node.args[0])
            for item in flat:
                outputs.append(_output_entry(item, env, results, gm, inputs_as_results))
        else:
            raise UnsupportedError(f"{node.name}: FX node kind {node.op!r} is not supported")
    program = b.finish(results)
    return Conversion(program, tensor_inputs, names, outputs, out_spec)


def find_unconvertible(gm: torch.fx.GraphModule) -> dict:
    """Every ``call_function`` node that does not convert, with the reason: the capability
    check (``unsupported_reason``) and then the converter itself, tried on a throwaway
    builder. A node that fails stands for program arguments of its own spec, so each later
    node is tried as it would be in a partition that takes the failed value as an input.
    Never raises: any failure of a converter is that node's reason."""
    b = GraphBuilder("probe")
    cx = Cx(b)
    env: dict = {}
    bad: dict = {}
    for node in gm.graph.nodes:
        if node.op not in ("placeholder", "get_attr", "call_function"):
            continue
        val = node.meta.get("val")
        if node.op == "get_attr" and not isinstance(_fetch_attr(gm, node.target), torch.Tensor):
            env[node] = _fetch_attr(gm, node.target)
            continue
        if node.op == "call_function":
            reason = unsupported_reason(node)
            try:
                if reason is None:
                    env[node] = _convert_node(cx, node, env)
                    continue
            except Exception as e:  # noqa: BLE001 -- any converter failure is this node's reason
                reason = str(e) or type(e).__name__
            bad[node] = reason
        try:
            env[node] = _stand_in(b, val, node)
        except Exception as e:  # noqa: BLE001 -- an unrepresentable value: its users fail
            bad.setdefault(node, str(e) or type(e).__name__)
    return bad


def _stand_in(b: GraphBuilder, val, node):
    """Program arguments standing for a node's value (its tensors; other values as they are)."""
    if is_tensor_val(val):
        if (why := _tensor_ok(val)) is not None:
            raise UnsupportedError(why)
        return b.arg(spec_of_val(val))
    if isinstance(val, (list, tuple)):
        return [_stand_in(b, v, node) for v in val]
    return _concrete(val, node)


def _output_entry(item, env, results, gm, inputs_as_results):
    if item is None:
        return ("none",)
    if not isinstance(item, torch.fx.Node):
        return ("value", item)
    val = item.meta.get("val")
    if item.op == "placeholder" and not inputs_as_results:
        phs = [n for n in gm.graph.nodes if n.op == "placeholder"]
        return ("input", phs.index(item))
    if not is_tensor_val(val):
        return ("value", _concrete(env[item], item))
    results.append(env[item])
    return ("out", len(results) - 1, tuple(int(s) for s in val.shape), tuple(int(s) for s in val.stride()),
            val.device)


def _fetch_attr(gm, target: str):
    obj = gm
    for part in target.split("."):
        obj = getattr(obj, part)
    return obj


def _convert_node(cx: Cx, node: torch.fx.Node, env: dict):
    reason = unsupported_reason(node)
    if reason is not None:
        raise UnsupportedError(f"{op_name(node)} ({node.name}): {reason}")
    if node.target is operator.getitem:
        src = env[node.args[0]]
        return src[node.args[1]]
    val = node.meta.get("val")
    if node.target in SCALAR_TARGETS:
        return _concrete(val, node)
    args = torch.fx.node.map_arg(node.args, lambda n: env[n])
    kwargs = torch.fx.node.map_arg(node.kwargs, lambda n: env[n])
    try:
        result = lookup(node.target).fn(cx, node, *args, **kwargs)
    except UnsupportedError:
        raise
    except Exception as e:
        raise UnsupportedError(f"{op_name(node)} ({node.name}): conversion failed: {e}") from e
    _check_result(node, val, result)
    return result


def _check_result(node, val, result):
    """A converter must produce exactly the spec torch computed (catches converter bugs early)."""
    pairs = zip(val, result) if isinstance(val, (list, tuple)) else [(val, result)]
    for v, r in pairs:
        if r is None or not is_tensor_val(v):
            continue
        want, got = spec_of_val(v), spec(r)
        if want != got:
            raise UnsupportedError(f"{op_name(node)} ({node.name}): converter produced {got}, torch says {want}")


# --------------------------------------------------------------------------
# capture: trace a callable to ATen and convert it (the CLI's entry point)


def _example(x):
    if isinstance(x, TensorSpec):
        dt = next(t for t, n in TORCH_DTYPES.items() if n == x.dtype)
        if dt.is_floating_point:
            return torch.randn(x.shape).to(dt)
        return torch.zeros(x.shape, dtype=dt)
    return x


def _input_names(fn, n: int) -> list[str]:
    target = fn.forward if isinstance(fn, torch.nn.Module) else fn
    try:
        params = [p.name for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(n)]


def trace_aten(fn, example_inputs) -> torch.fx.GraphModule:
    """Trace ``fn`` (a callable or nn.Module) for inference to a functional core-ATen graph."""
    from torch.fx.experimental.proxy_tensor import make_fx

    inputs = [_example(x) for x in example_inputs]
    if isinstance(fn, torch.nn.Module):
        fn.eval()
    with torch.no_grad():
        return make_fx(torch.func.functionalize(fn, remove="mutations"),
                       decomposition_table=torch._decomp.core_aten_decompositions(),
                       tracing_mode="real")(*inputs)


def capture(fn_or_module, example_inputs, name: str = "main") -> Program:
    """Trace a callable or nn.Module (inference) to ATen and convert it to a furcate Program.

    ``example_inputs`` are tensors or ``TensorSpec``s. Weights become program constants.
    Raises ``furcate.UnsupportedError`` naming the op when furcate cannot express one
    (random ops included: there is no eager to fall back to here)."""
    gm = trace_aten(fn_or_module, example_inputs)
    tensor_names = _input_names(fn_or_module, len(example_inputs))
    return convert_graph(gm, name=name, input_names=tensor_names, inputs_as_results=True).program
