"""The ``torch.compile`` backend: ``torch.compile(model, backend="furcate", options={...})``.

dynamo -> AOTAutograd (core ATen decompositions; forward and backward graphs) ->
``compile_fx_graph`` for each graph: if every op converts, the whole graph runs as
one furcate ``Executable``; otherwise ``CapabilityBasedPartitioner`` splits it,
the supported partitions are compiled and the rest stays in eager PyTorch (each op
logged once on the "fallback" topic and counted in ``furcate.stats()``).

Shapes are specialized per call: a graph with symbolic sizes (dynamic shapes) is
converted at call time after fake-tensor propagation of the concrete inputs, and
cached per input signature; past ``torch._dynamo.config.recompile_limit``
signatures it runs eagerly with a warning. Every compile of a graph after its first
one (a new shape, or the graphs of a Dynamo recompile of a frame furcate compiled
before) logs one "recompiles" line and counts in ``stats()['recompiles']``.

``stats()['aten_ops_compiled']`` counts the ATen ops of every graph furcate
converted, by the same names as ``stats()['ops_eager']``; the conversion time is
the stage "frontend:torch".
"""

from __future__ import annotations

import operator
import threading

import ml_dtypes
import numpy as np
import torch
import torch.fx
from torch.fx.passes.operator_support import OperatorSupportBase
from torch.utils import _pytree as pytree

from furcate.compiler import compile_program
from furcate.diagnostics import STATS, log, record_eager_fallback, timed
from furcate.frontend.torch_fx import (
    Conversion, convert_graph, find_unconvertible, has_symbols, op_name, to_numpy, unsupported_reason,
)
from furcate.frontend.torch_direct import DirectCall, _row_major
from furcate.frontend import torch_decomp
from furcate.frontend.torch_passthrough import can_pass_through, inference_meta
from furcate.frontend.torch_ops import SCALAR_TARGETS
from furcate.options import CompileOptions

_WARNED_OPS: set[str] = set()
_LOCK = threading.Lock()


def furcate_backend(gm: torch.fx.GraphModule, example_inputs, options: dict | None = None):
    """The torch.compile backend (entry point ``furcate``). Options: ``target`` (default
    "auto") and any ``compile_program`` option (dump_dir, pipeline, ...)."""
    from functorch.compile import make_boxed_func
    from torch._dynamo.backends.common import aot_autograd

    opts = CompileOptions.of(options)
    target = opts.target
    counter = iter(range(1 << 30))
    recompile = _dynamo_recompile()
    # inference freezing (``freeze``): only with grad mode off (Dynamo guards on it)
    frozen = _frozen_snapshots(gm, example_inputs) if opts.freeze and not torch.is_grad_enabled() else {}

    compiled = []  # (kind, ATen graph, boxed callable, AOTAutograd's analysis) per graph

    def compiler(kind):
        def compile_graph(graph: torch.fx.GraphModule, inputs):
            name = f"{kind}_{next(counter)}"
            if frozen and kind == "forward" and not torch.is_grad_enabled():
                fn = _boxed(compile_frozen(graph, frozen, target, opts, name, recompile), make_boxed_func)
            else:
                fn = _boxed(compile_fx_graph(graph, target, opts, name, recompile=recompile), make_boxed_func)
            compiled.append((kind, graph, fn, inference_meta()))
            return fn

        return compile_graph

    wrapped = aot_autograd(
        fw_compiler=compiler("forward"),
        bw_compiler=compiler("backward"),
        decompositions=torch_decomp.decompositions(),
    )(gm, example_inputs)
    if len(compiled) != 1:  # (AOTAutograd's cache answered: nothing compiled here; training: grad mode, below)
        return wrapped
    kind, aten_graph, fn, meta = compiled[0]
    if kind != "forward" or not can_pass_through(gm, example_inputs, aten_graph, meta):
        return wrapped
    with STATS.lock:
        STATS.aot_passthrough += 1
    return fn.furcate_unboxed


def _boxed(fn, make_boxed_func):
    """``fn`` in AOTAutograd's boxed convention (called with one list of arguments). A
    whole-graph ``FurcateGraph`` gets an entry that tries its latest runner's direct and fast
    paths first, with no wrapper in between (the fixed cost of a call is a few function calls).
    Every result has a ``furcate_unboxed``: the same entry in Dynamo's convention (positional
    arguments), which ``furcate_backend`` hands to Dynamo where ``can_pass_through`` holds."""
    if not isinstance(fn, FurcateGraph):
        boxed = make_boxed_func(fn)
        boxed.furcate_unboxed = fn
        return boxed

    def call(*args):  # Dynamo's convention, for ``torch_passthrough``
        last = fn.last
        if last is not None:
            direct = last.direct
            if direct is not None and (out := direct(args)) is not None:
                return out
            if (out := last.call_fast(args)) is not None:
                return out
        return fn(*args)

    def run(args):  # AOTAutograd's convention: one list
        return call(*args)

    run._boxed_call = True
    run.furcate_unboxed = call
    return run


def _frozen_snapshots(gm, example_inputs) -> dict:
    """Position -> a copy of each Dynamo graph input that is a parameter or buffer (the
    values freezing bakes in)."""
    from furcate.frontend.torch_freeze import frozen_inputs

    with torch.no_grad():
        return {i: example_inputs[i].detach().clone() for i in frozen_inputs(gm, example_inputs)}


def compile_frozen(gm: torch.fx.GraphModule, frozen: dict, target, options, name, recompile=False):
    """``gm`` (AOTAutograd's inference graph, placeholders in Dynamo's order) with the
    ``frozen`` inputs as constants and weight-only subgraphs folded, checked per call."""
    from furcate.frontend.torch_freeze import FrozenGraph, freeze_graph

    phs = [n for n in gm.graph.nodes if n.op == "placeholder"]
    ok = all(i < len(phs) and isinstance(v := phs[i].meta.get("val"), torch.Tensor)
             and tuple(v.shape) == tuple(frozen[i].shape) and v.dtype == frozen[i].dtype for i in frozen)
    if not ok or has_symbols(gm):  # not the graph freezing expects: compile it as it is
        return compile_fx_graph(gm, target, options, name, recompile=recompile)
    with timed("frontend:torch"):
        frozen_gm, stats = freeze_graph(gm, frozen)
    with STATS.lock:
        STATS.freeze["frozen_graphs"] += 1
        STATS.freeze.update(stats)
    log("graph").info("%s: frozen %d input(s): %d weight-only op(s) folded, %d affine chain(s) into weights",
                      name, stats["frozen_inputs"], stats["folded_ops"], stats["affine_into_weights"])
    call = compile_fx_graph(frozen_gm, target, options, name, recompile=recompile)
    return FrozenGraph(call, frozen, lambda: compile_fx_graph(gm, target, options, f"{name}_unfrozen", True),
                       name, stats)


def _dynamo_recompile() -> bool:
    """True when Dynamo is compiling a frame it compiled before (a guard failed, e.g. a new
    shape): the graphs furcate compiles for it are recompiles."""
    from torch._guards import CompileContext

    cid = CompileContext.current_compile_id()
    return cid is not None and (cid.frame_compile_id or 0) > 0


def compile_fx_graph(gm: torch.fx.GraphModule, target="auto", options: CompileOptions | dict | None = None,
                     name="graph", recompile: bool = False):
    """A callable running ``gm`` through furcate: whole when every op converts, else
    partitioned with the unsupported ops left to eager. ``recompile``: ``gm`` replaces a
    graph compiled before (its first compile counts as a recompile)."""
    options = CompileOptions.of(options)
    if not any(n.target is not operator.getitem and unsupported_reason(n) is not None for n in gm.graph.nodes):
        try:
            return FurcateGraph(gm, target, options, name, recompile)
        except _ConversionFailed:
            pass  # a converter failed on a node the check accepted: find every such node
    # every node that does not convert (the check, then each converter tried), with the reason
    failed = find_unconvertible(gm)
    bad: dict[str, list] = {}
    for node, reason in failed.items():
        if node.target is not operator.getitem:
            bad.setdefault(op_name(node), [reason, 0])[1] += 1
    for opname, (reason, count) in bad.items():
        _note_fallback(opname, reason, count)
    return _partition(gm, target, options, name, recompile, set(failed))


def _note_fallback(opname: str, reason: str, count: int) -> None:
    with STATS.lock:
        STATS.ops_eager[opname] += count
    record_eager_fallback(f"{opname} left to eager PyTorch: {reason}")
    with _LOCK:
        first = opname not in _WARNED_OPS
        _WARNED_OPS.add(opname)
    if first:
        log("fallback").warning("%s runs in eager PyTorch: %s", opname, reason)


class _ConversionFailed(Exception):
    """Converting a graph to furcate IR failed (any error of a converter)."""


class _Support(OperatorSupportBase):
    """The nodes a partition may hold: those that convert (``excluded``: the ones that do not)."""

    def __init__(self, excluded=frozenset()):
        super().__init__()
        self.excluded = excluded

    def is_node_supported(self, submodules, node: torch.fx.Node) -> bool:
        if node.op != "call_function" or node in self.excluded:
            return False
        if node.target is operator.getitem and node.args[0] in self.excluded:
            return False
        return unsupported_reason(node) is None


def _partition(gm, target, options, name, recompile, excluded=frozenset()):
    from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner

    partitioner = CapabilityBasedPartitioner(gm, _Support(excluded), allows_single_node_partition=True)
    partitions = partitioner.propose_partitions()
    fused = partitioner.fuse_partitions(partitions)
    n = 0
    for node in list(fused.graph.nodes):
        if node.op == "call_module" and node.target.startswith("fused_"):
            sub = getattr(fused, node.target)
            try:
                graph = FurcateGraph(sub, target, options, f"{name}_{node.target}", recompile)
            except _ConversionFailed as e:  # never a crash: this partition stays eager
                _note_partition_eager(sub, f"{name}_{node.target}", e)
                continue
            setattr(fused, node.target, FurcateModule(graph))
            n += 1
    with STATS.lock:
        STATS.partitions += n
    log("graph_splits").info("%s: %d partition(s) compiled by furcate, the rest runs in eager", name, n)
    return fused


def _note_partition_eager(sub, name: str, error: Exception) -> None:
    """A partition whose conversion failed as a whole runs in eager: one log line, its ops
    counted in ``ops_eager``."""
    with STATS.lock:
        STATS.ops_eager.update(op_name(n) for n in sub.graph.nodes if _is_aten_op(n))
    record_eager_fallback(f"{name} left to eager PyTorch: {error}")
    log("fallback").warning("%s runs in eager PyTorch: %s", name, error)


class FurcateModule(torch.nn.Module):
    """A partition of a split graph, run by furcate (an nn.Module so FX can call it)."""

    def __init__(self, graph: "FurcateGraph"):
        super().__init__()
        self.furcate_graph = graph

    def forward(self, *args):
        return self.furcate_graph(*args)


# --------------------------------------------------------------------------
# one graph, specialized per concrete input signature

_EAGER = object()


def _signature(args) -> tuple:
    return tuple((tuple(a.shape), a.dtype) if isinstance(a, torch.Tensor) else ("v", a) for a in args)


def _meta_signature(gm) -> tuple | None:
    sig = []
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            v = node.meta.get("val")
            sig.append((tuple(int(s) for s in v.shape), v.dtype) if isinstance(v, torch.Tensor) else ("v", v))
    return tuple(sig)


def _recompile_limit() -> int:
    cfg = torch._dynamo.config
    return int(getattr(cfg, "recompile_limit", getattr(cfg, "cache_size_limit", 8)))


class FurcateGraph:
    """An FX graph compiled by furcate, one Executable per concrete input signature.
    ``recompile``: the graph replaces one compiled before (Dynamo recompiled its frame)."""

    def __init__(self, gm: torch.fx.GraphModule, target, options: CompileOptions | dict, name: str,
                 recompile: bool = False):
        self.gm, self.target, self.options, self.name = gm, target, CompileOptions.of(options), name
        self.recompile = recompile
        self.cache: dict[tuple, object] = {}
        self.lock = threading.Lock()
        self.last = None  # the runner of the latest signature, tried first (its fast path checks the inputs)
        self.static_sig = None if has_symbols(gm) else _meta_signature(gm)
        if self.static_sig is not None:
            self._note_recompile(self.static_sig)
            self.cache[self.static_sig] = self._compile()
            self._remember(self.static_sig)

    def __call__(self, *args):
        last = self.last
        if last is not None:
            out = last.call_fast(args)
            if out is not None:
                return out
        sig = _signature(args)
        entry = self.cache.get(sig)
        if entry is None:
            with self.lock:
                entry = self.cache.get(sig) or self._compile_for(args, sig)
        if entry is _EAGER:
            return self.gm(*args)
        self._remember(sig)
        return entry(args)

    def _remember(self, sig) -> None:
        """Try ``sig``'s runner first on the next call, where its fast path can tell a call
        of this signature on its own: every argument is a tensor."""
        entry = self.cache.get(sig)
        if isinstance(entry, _Runner) and entry is not self.last:
            self.last = entry if all(e[0] != "v" for e in sig) and entry.fast is not None else None

    def _compile(self) -> "_Runner":
        from torch._subclasses.fake_tensor import unset_fake_temporarily

        with timed("frontend:torch"):
            try:
                conv = convert_graph(self.gm, name=self.name)
            except Exception as e:  # noqa: BLE001 -- any converter failure: the caller falls back
                raise _ConversionFailed(str(e) or type(e).__name__) from e
        # AOTAutograd may call compilers inside its fake mode: backends that make tensors at
        # compile time (Triton's constants on the device) must make real ones
        with unset_fake_temporarily():
            exe = compile_program(conv.program, self.target, self.options.replace(
                name=self.name, captured=lambda: self.gm.print_readable(False)))
        if exe.input_names is None:
            exe.input_names = conv.input_names
        with STATS.lock:
            STATS.aten_ops_compiled.update(op_name(n) for n in self.gm.graph.nodes if _is_aten_op(n))
        return _Runner(exe, conv)

    def _note_recompile(self, sig) -> None:
        """One "recompiles" line and count for every compile after the graph's first."""
        if not (self.cache or self.recompile):
            return
        with STATS.lock:
            STATS.recompiles += 1
        why = "new input shapes" if self.cache else "a Dynamo recompile of its frame, input shapes"
        log("recompiles").info("%s: compiling for %s %s", self.name, why, _describe(sig))

    def _compile_for(self, args, sig):
        if len(self.cache) >= _recompile_limit():
            log("recompiles").warning(
                "%s: more than %d input shapes; running it in eager PyTorch for %s",
                self.name, _recompile_limit(), _describe(sig))
            with STATS.lock:
                STATS.ops_eager.update(op_name(n) for n in self.gm.graph.nodes if n.op == "call_function")
            record_eager_fallback(f"{self.name}: recompile limit reached, eager for {_describe(sig)}")
            self.cache[sig] = _EAGER
            return _EAGER
        self._note_recompile(sig)
        with timed("frontend:torch"):
            _propagate(self.gm, args)
        try:
            runner = self._compile()
        except _ConversionFailed as e:  # never a crash: these shapes run in eager
            _note_partition_eager(self.gm, f"{self.name} for {_describe(sig)}", e)
            self.cache[sig] = _EAGER
            return _EAGER
        self.cache[sig] = runner
        return runner


def _is_aten_op(node) -> bool:
    """An ATen compute op (not getitem, not SymInt arithmetic such as ``sym_size``)."""
    return (node.op == "call_function" and isinstance(node.target, torch._ops.OpOverload)
            and node.target not in SCALAR_TARGETS)


def _describe(sig) -> str:
    return ", ".join(f"{list(s[0])}" if s[0] != "v" else str(s[1]) for s in sig)


def _propagate(gm, args) -> None:
    """Recompute every node's meta['val'] for these concrete inputs (resolves SymInts)."""
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.passes.fake_tensor_prop import FakeTensorProp

    mode = FakeTensorMode(allow_non_fake_inputs=True)
    fake = [mode.from_tensor(a, static_shapes=True) if isinstance(a, torch.Tensor) else a for a in args]
    with mode:
        FakeTensorProp(gm, mode).propagate_dont_convert_inputs(*fake)


def route(device_type: str, torch_device: str | None) -> tuple[str | None, bool]:
    """How an input tensor on ``device_type`` reaches an executable whose steps take torch
    tensors on ``torch_device`` (None: NumPy arrays only): ``(device type to copy it to
    first, or None; whether to hand it over as a NumPy array)``.

    - the executable takes tensors on the tensor's device (Triton on CUDA tensors, or on CPU
      tensors in the interpreter): the tensor itself, no copy;
    - it takes tensors on another device: one explicit copy there;
    - it takes NumPy arrays (numpy, c, xla): a NumPy view of a CPU tensor, no copy; a CUDA
      tensor is first copied to the host (explicit, logged)."""
    if torch_device is not None:
        return (None if device_type == torch_device else torch_device), False
    return (None if device_type == "cpu" else "cpu"), True


def _device_type(t: torch.Tensor) -> str:
    return t.device.type


def _transfer(t: torch.Tensor, device) -> torch.Tensor:
    """An explicit copy of ``t`` to ``device`` (the only place the frontend moves data)."""
    return t.to(device)


class _Runner:
    """Calls one Executable with torch tensors and returns torch tensors: tensors go to the
    executable as they are where its steps take them (``route``), as NumPy views otherwise;
    results come back as tensors on the device eager would return them on (no copies where
    the memory allows). Each cross-device copy is logged once per graph ("placement" topic)."""

    def __init__(self, exe, conv: Conversion):
        self.exe, self.conv = exe, conv
        self.torch_device = getattr(exe, "torch_device", None)
        self._logged: set = set()
        self.direct = None  # one C kernel called on the tensors themselves (torch_direct.py)
        self.fast = self._fast_plan()

    def _fast_plan(self):
        """What ``call_fast`` needs, computed once, or None where it never applies: the
        executable takes NumPy arrays and every graph output is a program result that torch
        expects row-major on the CPU (not bf16, which has no NumPy view)."""
        spec, exe = self.conv.out_spec, self.exe
        if self.torch_device is not None or spec is None or spec.type not in (tuple, list) \
                or not all(c.is_leaf() for c in _children(spec)):
            return None
        outs = []
        for entry in self.conv.outputs:
            if entry[0] != "out":
                return None
            _, k, shape, stride, device = entry
            if device.type not in ("cpu", "meta") or exe.output_specs[k].dtype == "bf16" \
                    or not _same_layout_as(shape, _row_major(shape), stride):
                return None
            outs.append(k)
        ins = [(pos, s.shape, s.np_dtype) for pos, s in zip(self.conv.tensor_inputs, exe.input_specs)]
        n_args = len(self.conv.tensor_inputs)
        self.direct = DirectCall.build(exe, n_args, ins, outs, spec.type)
        return n_args, ins, outs, spec.type

    def call_fast(self, args):
        """The common case in few steps: CPU tensors of the expected shapes and dtypes (the
        executable's guards, checked here) go in as NumPy views; fresh result arrays come
        back as tensors sharing their memory. None (nothing run) where a guard does not
        hold or an argument needs more than a view: ``__call__`` then handles it (binding,
        guard errors naming the argument, recompiles)."""
        direct = self.direct
        if direct is not None and (out := direct(args)) is not None:
            return out
        n_args, ins, outs, container = self.fast
        if len(args) != n_args:
            return None
        arrays = []
        for pos, shape, dt in ins:
            t = args[pos]
            try:
                if _device_type(t) != "cpu":
                    return None
                a = t.numpy()  # raises for bf16, requires_grad, neg-bit tensors
            except (AttributeError, RuntimeError, TypeError):
                return None
            if a.shape != shape or (a.dtype is not dt and a.dtype != dt):
                return None
            arrays.append(a)
        results = self.exe.run_unchecked(arrays)
        flat = []
        for k in outs:
            r = results[k]
            # an array the executable allocated (owns its memory, not handed out twice)
            if type(r) is not np.ndarray or r.base is not None or not r.flags.c_contiguous \
                    or not r.flags.writeable or any(r is x for x in flat):
                return self._outputs(args, arrays, results)
            flat.append(r)
        return container(torch.from_numpy(r) for r in flat)

    def _note_copy(self, what: str, src, dst) -> None:
        if what not in self._logged:
            self._logged.add(what)
            log("placement").info("%s: %s is copied %s -> %s on every call (the %s executable takes %s)",
                                  self.exe.name, what, src, dst, self.exe.target,
                                  f"{self.torch_device} tensors" if self.torch_device else "NumPy arrays")

    def _bind(self, i: int, t: torch.Tensor):
        src = _device_type(t)
        if src not in ("cpu", "cuda"):
            raise TypeError(f"{self.exe.name}: {self.exe.arg_name(i)} is on {t.device}: furcate's torch frontend "
                            f"takes CPU tensors and CUDA tensors")
        to, as_numpy = route(src, self.torch_device)
        if to is not None:
            self._note_copy(self.exe.arg_name(i), src, to)
            t = _transfer(t, to)
        return to_numpy(t) if as_numpy else t.detach().resolve_neg()

    def __call__(self, args):
        inputs = [self._bind(k, args[i]) for k, i in enumerate(self.conv.tensor_inputs)]
        return self._outputs(args, inputs, self.exe(*inputs))

    def _outputs(self, args, inputs, results):
        """The graph's outputs from the executable's ``results``: tensors with torch's strides
        on eager's device, copied where they share memory with an input or each other."""
        seen = list(inputs)
        flat = []
        for entry in self.conv.outputs:
            kind = entry[0]
            if kind == "out":
                _, k, shape, stride, device = entry
                r = results[k]
                t = (_tensor_to_torch(r, shape, stride, seen) if isinstance(r, torch.Tensor)
                     else _to_torch(np.asarray(r), shape, stride, copy=any(_shares(r, s) for s in seen)))
                if device.type != "meta" and (src := _device_type(t)) != device.type:
                    self._note_copy(f"result {k}", src, device)
                    t = _transfer(t, device)
                flat.append(t)
                seen.append(r)
            elif kind == "input":
                flat.append(args[entry[1]])
            elif kind == "value":
                flat.append(entry[1])
            else:
                flat.append(None)
        return pytree.tree_unflatten(flat, self.conv.out_spec)


def _children(spec) -> list:
    """A pytree spec's children (``children()`` in newer torch, ``children_specs`` before)."""
    return spec.children() if hasattr(spec, "children") else spec.children_specs


def _shares(a, b) -> bool:
    """True if two arrays, or two tensors, may overlap in memory (an executable takes and
    returns one kind, so a tensor and an array never come from the same call)."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.device == b.device and a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return False
    return np.may_share_memory(a, b)


def _tensor_to_torch(t: torch.Tensor, shape, stride, seen) -> torch.Tensor:
    """An executable's tensor result as the graph's output: copied if it shares memory with
    an input or an earlier result, re-laid out if torch expects other strides."""
    if any(_shares(t, s) for s in seen):
        t = t.clone()
    if not _same_layout(t, shape, stride):
        t = torch.empty_strided(shape, stride, dtype=t.dtype, device=t.device).copy_(t)
    return t


def _to_torch(arr: np.ndarray, shape, stride, copy: bool) -> torch.Tensor:
    if copy or not arr.flags.writeable or any(s < 0 for s in arr.strides):
        arr = np.array(arr)
    if arr.dtype == ml_dtypes.bfloat16:
        t = torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
    else:
        t = torch.from_numpy(arr)
    if not _same_layout(t, shape, stride):
        t = torch.empty_strided(shape, stride, dtype=t.dtype).copy_(t)
    return t


def _same_layout(t: torch.Tensor, shape, stride) -> bool:
    """True if ``t`` already has torch's strides, or those strides are an expanded view's
    (a zero stride): a dense copy of such a view is what a compiler may return."""
    return _same_layout_as(shape, t.stride(), stride)


def _same_layout_as(shape, strides, expected) -> bool:
    """``_same_layout`` for a tensor of ``strides``."""
    if any(n > 1 and e == 0 for n, e in zip(shape, expected)):
        return True
    return all(n <= 1 or s == e for n, s, e in zip(shape, strides, expected))
