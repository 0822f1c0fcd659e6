"""Inference freezing for ``torch.compile(..., options={"freeze": True})``.

Under ``torch.no_grad`` (grad mode off when Dynamo compiles the frame; Dynamo guards on
grad mode, so a call with grad on recompiles), the parameters and buffers Dynamo lifts
as graph inputs are treated as compile-time constants:

1. ``frozen_inputs`` picks the Dynamo graph inputs that are module parameters or buffers
   (their Dynamo source names ``_parameters`` / ``_buffers``, or an ``nn.Parameter``).
2. In AOTAutograd's inference graph these inputs are the same placeholders, in order;
   ``freeze_graph`` replaces them with ``get_attr`` constants holding a snapshot of each,
   then ``fold_constants`` evaluates every weight-only subgraph once (eager ATen on the
   snapshots: ``rsqrt(var + eps) * gamma``, ``permute(W)`` of a GEMM weight, ...), and
   ``fold_affine`` folds a per-channel affine chain after a convolution or a GEMM
   (batch norm in eval mode: ``(conv(x, W) - mean) * s + b``) into the weights:
   ``conv(x, W * s, (bias - mean) * s + b)``.
3. ``FrozenGraph`` runs the frozen program and checks, on every call, that each frozen
   argument still holds the snapshot's values (``torch.equal``: a weight changed in place,
   through ``.data`` — which bumps no version counter — or replaced by a new tensor is
   seen). On the first mismatch it compiles the unfrozen graph and runs that from then on:
   a changed weight never gives a stale result.

Never applied while the graph trains (grad mode on): the caller checks that.
"""

from __future__ import annotations

import copy
import operator

import torch
import torch.fx

from furcate.diagnostics import log

_ADD, _SUB, _MUL, _DIV = (torch.ops.aten.add.Tensor, torch.ops.aten.sub.Tensor,
                          torch.ops.aten.mul.Tensor, torch.ops.aten.div.Tensor)
_CONV = torch.ops.aten.convolution.default
_MM, _ADDMM = torch.ops.aten.mm.default, torch.ops.aten.addmm.default
_BN_EVAL = torch.ops.aten._native_batch_norm_legit_no_training.default


def frozen_inputs(gm: torch.fx.GraphModule, example_inputs) -> list[int]:
    """Positions of Dynamo graph inputs that are module parameters or buffers."""
    out = []
    phs = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(phs) != len(example_inputs):
        return []
    for i, (node, ex) in enumerate(zip(phs, example_inputs)):
        if not isinstance(ex, torch.Tensor) or ex.layout != torch.strided or ex.is_sparse:
            continue
        ga = node.meta.get("grapharg")
        source = getattr(ga, "source", None)
        name = getattr(source, "name", "") if source is not None else ""
        name = name() if callable(name) else str(name)
        if isinstance(ex, torch.nn.Parameter) or "_parameters" in name or "_buffers" in name:
            out.append(i)
    return out


def freeze_graph(gm: torch.fx.GraphModule, frozen: dict[int, torch.Tensor]) -> tuple[torch.fx.GraphModule, dict]:
    """A copy of the ATen graph ``gm`` whose placeholders ``frozen`` (position -> snapshot)
    are constants, with weight-only subgraphs folded. Returns it and counts of what folded."""
    graph = copy.deepcopy(gm.graph)
    new = torch.fx.GraphModule(gm, graph)
    phs = [n for n in graph.nodes if n.op == "placeholder"]
    for i, value in frozen.items():
        node = phs[i]
        name = f"_frozen_{i}"
        new.register_buffer(name, value)
        with graph.inserting_before(node):
            attr = graph.get_attr(name)
        attr.meta = dict(node.meta)
        node.replace_all_uses_with(attr)
        graph.erase_node(node)
    graph.eliminate_dead_code()  # unused results (a batch norm's saved statistics) block no fold
    stats = {"frozen_inputs": len(frozen), "folded_ops": fold_constants(new), "affine_into_weights": 0}
    from torch._subclasses.fake_tensor import unset_fake_temporarily

    with unset_fake_temporarily(), torch.no_grad():
        stats["affine_into_weights"] = fold_affine(new)
    stats["folded_ops"] += fold_constants(new)
    graph.eliminate_dead_code()
    graph.lint()
    new.recompile()
    return new, stats


def _attr(gm, node):
    if isinstance(node, torch.fx.Node) and node.op == "get_attr":
        v = getattr(gm, node.target, None)
        if isinstance(v, torch.Tensor):
            return v
    return None


def _new_const(gm, graph, before, value: torch.Tensor, meta_from=None) -> torch.fx.Node:
    k = 0
    while hasattr(gm, f"_folded_{k}"):
        k += 1
    name = f"_folded_{k}"
    gm.register_buffer(name, value.contiguous().clone())
    with graph.inserting_before(before):
        node = graph.get_attr(name)
    if meta_from is not None:
        node.meta = dict(meta_from.meta)
    return node


def fold_constants(gm: torch.fx.GraphModule) -> int:
    """Evaluate each ATen op whose tensor operands are all constants (``get_attr``) and
    whose result is no larger than its operands (a broadcast to activation size stays);
    returns how many ops folded. Random ops never fold."""
    from torch._subclasses.fake_tensor import unset_fake_temporarily

    graph, n = gm.graph, 0
    for node in list(graph.nodes):
        if node.op != "call_function" or not isinstance(node.target, torch._ops.OpOverload):
            continue
        if torch.Tag.nondeterministic_seeded in node.target.tags or node.target._schema.is_mutable:
            continue
        inputs = node.all_input_nodes
        if not inputs or any(_attr(gm, a) is None for a in inputs):
            continue
        with unset_fake_temporarily(), torch.no_grad():
            args = torch.fx.node.map_arg(node.args, lambda a: _attr(gm, a))
            kwargs = torch.fx.node.map_arg(node.kwargs, lambda a: _attr(gm, a))
            try:
                value = node.target(*args, **kwargs)
            except Exception:  # noqa: BLE001 -- an op that does not run here simply stays
                continue
            if not isinstance(value, torch.Tensor) or value.numel() > sum(_attr(gm, a).numel() for a in inputs):
                continue
            const = _new_const(gm, graph, node, value, meta_from=node)
        node.replace_all_uses_with(const)
        graph.erase_node(node)
        n += 1
    return n


def _channel_vector(c, out, dim: int):
    """``c`` (a constant tensor or Python number) as a vector over ``out``'s dimension
    ``dim`` when broadcasting it against ``out`` varies only along that dimension; else None."""
    n = out.shape[dim]
    if isinstance(c, (int, float)) and not isinstance(c, bool):
        return torch.full((n,), float(c), dtype=out.dtype)
    if not isinstance(c, torch.Tensor) or c.dtype != out.dtype or c.dim() > out.dim():
        return None
    shape = [1] * (out.dim() - c.dim()) + list(c.shape)
    if any(s != 1 for k, s in enumerate(shape) if k != dim) or shape[dim] not in (1, n):
        return None
    return c.reshape(-1).expand(n).clone() if c.numel() == 1 else c.reshape(n).clone()


def _affine_chain(gm, start, dim: int):
    """From ``start`` (a conv/GEMM node), follow single users that add, subtract, multiply
    or divide by a per-channel constant: (last node, scale, shift) with
    ``last = start * scale + shift`` along ``dim``, or None when no such op follows."""
    out = start.meta.get("val")
    if not isinstance(out, torch.Tensor):
        return None
    n = out.shape[dim]
    scale, shift = torch.ones(n, dtype=out.dtype), torch.zeros(n, dtype=out.dtype)
    node, last = start, None
    while len(node.users) == 1:
        user = next(iter(node.users))
        if user.op == "call_function" and user.target is _BN_EVAL:
            bn = _batch_norm_affine(gm, user, node, out)
            if bn is None:
                break
            vec_scale, vec_shift, getitem = bn
            scale, shift = scale * vec_scale, shift * vec_scale + vec_shift
            node = last = getitem
            continue
        if user.op != "call_function" or user.target not in (_ADD, _SUB, _MUL, _DIV) or user.kwargs \
                or len(user.args) != 2:
            break
        val = user.meta.get("val")
        if not isinstance(val, torch.Tensor) or val.shape != out.shape or val.dtype != out.dtype:
            break
        a, b = user.args
        other = b if a is node else a
        if other is node or (user.target in (_SUB, _DIV) and a is not node):
            break
        c = _attr(gm, other) if isinstance(other, torch.fx.Node) else other
        vec = _channel_vector(c, out, dim) if c is not None else None
        if vec is None:
            break
        if user.target is _ADD:
            shift = shift + vec
        elif user.target is _SUB:
            shift = shift - vec
        elif user.target is _MUL:
            scale, shift = scale * vec, shift * vec
        else:
            scale, shift = scale / vec, shift / vec
        node = last = user
    return None if last is None else (last, scale, shift)


def _batch_norm_affine(gm, bn, x, out):
    """Eval-mode batch norm of ``x`` with constant statistics as (scale, shift, the getitem
    of its result), or None."""
    if bn.args[0] is not x or bn.kwargs or len(bn.args) != 7 or out.dim() < 2:
        return None
    users = list(bn.users)
    if len(users) != 1 or users[0].target is not operator.getitem or users[0].args[1] != 0:
        return None
    weight, bias, mean, var = (_attr(gm, a) if a is not None else None for a in bn.args[1:5])
    if mean is None or var is None or (bn.args[1] is not None and weight is None) \
            or (bn.args[2] is not None and bias is None):
        return None
    n = out.shape[1]
    if any(t is not None and (t.shape != (n,) or t.dtype != out.dtype) for t in (weight, bias, mean, var)):
        return None
    scale = torch.rsqrt(var + bn.args[6])
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    return scale, shift, users[0]


def fold_affine(gm: torch.fx.GraphModule) -> int:
    """Fold per-channel affine chains after constant-weight convolutions and GEMMs into
    their weights and bias; returns how many chains folded."""
    graph, n = gm.graph, 0
    for node in list(graph.nodes):
        if node.op != "call_function":
            continue
        if node.target is _CONV and not node.args[6]:  # not transposed
            w, bias = _attr(gm, node.args[1]), node.args[2]
            if w is None or (bias is not None and _attr(gm, bias) is None):
                continue
            chain = _affine_chain(gm, node, 1)
            if chain is None:
                continue
            last, scale, shift = chain
            b0 = _attr(gm, bias) if bias is not None else torch.zeros_like(shift)
            new_w = w * scale.reshape(-1, *([1] * (w.dim() - 1)))
            new_b = b0 * scale + shift
            w_node = _new_const(gm, graph, node, new_w)
            b_node = _new_const(gm, graph, node, new_b)
            node.args = (node.args[0], w_node, b_node, *node.args[3:])
        elif node.target in (_MM, _ADDMM):
            x, w = (node.args[0], node.args[1]) if node.target is _MM else (node.args[1], node.args[2])
            wv = _attr(gm, w)
            bias = None if node.target is _MM else node.args[0]
            if wv is None or wv.dim() != 2 or node.kwargs or (bias is not None and _attr(gm, bias) is None):
                continue
            chain = _affine_chain(gm, node, 1)
            if chain is None:
                continue
            last, scale, shift = chain
            b0 = _attr(gm, bias) if bias is not None else torch.zeros_like(shift)
            new_b = (b0 * scale + shift) if b0.dim() <= 1 or b0.shape[0] == 1 else None
            if new_b is None:
                continue  # a bias per row: not a per-column affine
            w_node = _new_const(gm, graph, node, wv * scale.reshape(1, -1))
            b_node = _new_const(gm, graph, node, new_b.reshape(-1))
            node.target = _ADDMM
            node.args = (b_node, x, w_node)
        else:
            continue
        last.replace_all_uses_with(node)
        # the chain's ops are now dead (DCE removes them); the node's meta is the result's
        n += 1
    graph.eliminate_dead_code()
    return n


class FrozenGraph:
    """Runs the frozen program while every frozen argument still equals its snapshot; on the
    first call where one differs (values, shape or dtype), switches to the unfrozen graph
    for good (``unfrozen``: builds it)."""

    def __init__(self, frozen_call, frozen: dict[int, torch.Tensor], unfrozen, name: str, stats: dict):
        self.frozen_call, self.unfrozen, self.name, self.stats = frozen_call, unfrozen, name, stats
        self.checks = sorted(frozen.items())
        self.keep = None  # positions of the arguments the frozen program takes, set on first call
        self.fallback = None

    def __call__(self, *args):
        if self.fallback is None:
            for i, snap in self.checks:
                a = args[i]
                if a.shape != snap.shape or a.dtype != snap.dtype or not torch.equal(a, snap):
                    return self._unfreeze(i)(*args)
            if self.keep is None:
                frozen = {i for i, _ in self.checks}
                self.keep = [k for k in range(len(args)) if k not in frozen]
            return self.frozen_call(*[args[k] for k in self.keep])
        return self.fallback(*args)

    def _unfreeze(self, i: int):
        log("graph").info("%s: frozen input %d changed after compiling: running the unfrozen graph from now on",
                          self.name, i)
        from furcate.diagnostics import STATS

        with STATS.lock:
            STATS.freeze["unfrozen"] += 1
        self.fallback = self.unfrozen()
        return self.fallback


__all__ = ["FrozenGraph", "fold_affine", "fold_constants", "freeze_graph", "frozen_inputs"]
