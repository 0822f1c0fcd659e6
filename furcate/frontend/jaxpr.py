"""The JAX frontend: ``furcate.jit`` traces a function to a jaxpr and lowers it to furcate IR.

- ``jit(fun, target=..., static_argnums=...)`` (also a decorator) traces with
  ``jax.make_jaxpr`` once per input signature (pytree structure, shapes,
  dtypes, weak types, static argument values), compiles the program with
  ``compiler.compile_program`` and caches the ``Executable`` per signature.
  Calls return jax arrays in the function's output pytree. Past the recompile
  limit (``recompile_limit=N``; default torch's ``recompile_limit``, see
  ``default_recompile_limit``) a new signature runs the function in plain JAX,
  op by op, with one warning per function and a record in ``furcate.stats()``.
- ``capture(fun, example_args)`` gives the ``Program`` and the output pytree
  structure without compiling (the CLI's ``--frontend jax``).

Lowering inlines every equation that carries a plain sub-jaxpr (``jit``,
``custom_jvp_call``, ``custom_vjp_call``, ``remat``, ``closed_call``...),
drops equations whose results are unused, turns literals and closed-over
constants into ``furcate.constant`` / ``constant_ref`` and maps each primitive
through the table in ``jax_ops`` / ``jax_index_ops``. Every result dtype is
taken from the outvar's aval. A primitive furcate cannot express (random
numbers, loops, sort...) raises ``UnsupportedError`` naming it and the user's
source line.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
import threading
from dataclasses import dataclass

import jax
import numpy as np
from jax.extend.core import DropVar, Literal, Var

from furcate import diagnostics
from furcate.diagnostics import STATS, log
from furcate.errors import FurcateError, UnsupportedError
from furcate.frontend import jax_index_ops  # noqa: F401  (registers its converters)
from furcate.frontend.jax_ops import CONVERTERS
from furcate.ir.builder import BuildError, GraphBuilder
from furcate.ir.program import Program
from furcate.ir.types import TensorSpec, from_numpy_dtype, spec_of_type
from furcate.options import CompileOptions

# compiled signatures per function before furcate.jit runs new ones in plain JAX, when torch's
# own limit is not loaded (see default_recompile_limit); per function: furcate.jit(fn, recompile_limit=N)
RECOMPILE_LIMIT = 8

_FURCATE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def default_recompile_limit() -> int:
    """torch's ``torch._dynamo.config.recompile_limit`` when torch's Dynamo config is already
    loaded (a user who changed it has loaded it; furcate never imports torch for this), else
    ``RECOMPILE_LIMIT``."""
    cfg = sys.modules.get("torch._dynamo.config")
    limit = getattr(cfg, "recompile_limit", None) if cfg is not None else None
    return int(limit) if limit is not None else RECOMPILE_LIMIT

# equation params that hold a sub-program called once with the equation's operands
_CALL_PARAMS = ("jaxpr", "call_jaxpr", "fun_jaxpr")
# primitives with such a param whose sub-program is not a plain call
_NOT_A_CALL = frozenset({"scan", "while", "cond", "shard_map", "xla_pmap", "custom_linear_solve",
                         "custom_transpose_call", "run_state", "for"})


def _is_users(filename: str) -> bool:
    """Not JAX's, not the standard library's (JAX's own test), not furcate's."""
    from jax._src import source_info_util

    return source_info_util.is_user_filename(filename) and not os.path.abspath(filename).startswith(_FURCATE_DIR)


def source_line(eqn) -> str:
    """The user's ``file:line (function)`` that produced an equation: the innermost frame of its
    traceback outside JAX and furcate ("" if unknown)."""
    try:
        from jax._src import source_info_util

        for frame in source_info_util.user_frames(eqn.source_info.traceback):
            if _is_users(frame.file_name):
                return f"{frame.file_name}:{frame.start_line} ({frame.function_name})"
    except Exception:  # an older/newer jax without this private helper
        pass
    return ""


def user_call_site() -> str:
    """``file:line (function)`` of the innermost frame of the running Python stack outside JAX
    and furcate: where the user called furcate (the fallback source line of an equation whose
    recorded traceback holds only library frames, e.g. ``furcate.jit(jnp.sort)``)."""
    frame = sys._getframe(1)
    try:
        while frame is not None:
            if _is_users(frame.f_code.co_filename):
                return f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_qualname})"
            frame = frame.f_back
    except Exception:  # noqa: BLE001 - a source line is a courtesy, never a failure
        pass
    return ""


def spec_of_aval(aval, what: str) -> TensorSpec:
    """furcate spec of a jax aval; dtypes furcate lacks (unsigned, keys, complex) raise."""
    if jax.dtypes.issubdtype(aval.dtype, jax.dtypes.prng_key):
        raise UnsupportedError(f"{what} is a JAX random key ({aval.dtype}): random keys and random ops are not "
                               f"supported by furcate yet; draw the random numbers outside furcate.jit and "
                               f"pass them in as arrays")
    try:
        dtype = from_numpy_dtype(aval.dtype)
    except (ValueError, TypeError):
        hint = (" (if it is a legacy jax.random.PRNGKey: random keys and random ops are not supported by furcate "
                "yet; draw the random numbers outside furcate.jit and pass them in)"
                if str(aval.dtype) == "uint32" and what.startswith("input") else "")
        raise UnsupportedError(f"{what} has dtype {aval.dtype}, which furcate does not support{hint}") from None
    return TensorSpec(tuple(int(s) for s in aval.shape), dtype)


class Lowering:
    """Lowers jaxprs into one ``GraphBuilder``; the context converters receive as ``cx``."""

    def __init__(self, builder: GraphBuilder, call_site: str = ""):
        self.b = builder
        self.call_site = call_site  # where the user called furcate: the last resort of where()
        self._known: dict = {}  # SSA value -> numpy value, for literals and constants
        self._scalars: dict = {}  # (dtype, bytes) -> SSA value, to share literal constants
        self._callers: list = []  # equations whose sub-jaxprs are being inlined

    # -- helpers for converters -------------------------------------------
    @staticmethod
    def spec(value) -> TensorSpec:
        return spec_of_type(value.type)

    def out_spec(self, eqn, i: int = 0) -> TensorSpec:
        return spec_of_aval(eqn.outvars[i].aval, f"result {i} of {eqn.primitive.name}")

    def broadcast_to(self, value, shape):
        """``value`` broadcast to ``shape`` by NumPy's rules (lax elementwise ops accept rank-0
        operands and size-1 dimensions)."""
        have = self.spec(value).shape
        if have == tuple(shape):
            return value
        dims = list(range(len(shape) - len(have), len(shape)))
        return self.b.op("broadcast_in_dim", value, broadcast_dimensions=dims, shape=list(shape))

    def reshape(self, value, shape):
        if self.spec(value).shape == tuple(shape):
            return value
        return self.b.op("reshape", value, shape=list(shape))

    def known(self, value):
        """The value of a trace-time constant (literal or closed-over array), else None."""
        return self._known.get(value)

    def where(self, eqn) -> str:
        """Source line of ``eqn``, else of the nearest enclosing call that has one, else the
        user's call of furcate."""
        for e in [eqn, *reversed(self._callers)]:
            line = source_line(e)
            if line:
                return line
        return self.call_site or "an unknown source line"

    def unsupported(self, eqn, reason: str):
        raise UnsupportedError(f"JAX primitive '{eqn.primitive.name}' at {self.where(eqn)}: {reason}")

    # -- values -----------------------------------------------------------
    def constant(self, array: np.ndarray, what: str):
        spec = spec_of_aval(array, what)
        array = np.asarray(array, dtype=spec.np_dtype)
        key = None
        if array.size == 1 and array.ndim == 0:
            key = (spec.dtype, array.tobytes())
            if key in self._scalars:
                return self._scalars[key]
        value = self.b.constant(array)
        self._known[value] = array
        if key is not None:
            self._scalars[key] = value
        return value

    def literal(self, lit: Literal):
        return self.constant(np.asarray(lit.val, dtype=lit.aval.dtype), f"literal {lit}")

    # -- jaxprs -----------------------------------------------------------
    def lower(self, jaxpr, consts, inputs, used=None) -> list:
        """Lower ``jaxpr`` applied to SSA ``inputs``; returns its outputs (None where unused)."""
        env: dict = {}
        for var, c in zip(jaxpr.constvars, consts):
            env[var] = self.constant(np.asarray(c), f"closed-over constant {var}")
        env.update(zip(jaxpr.invars, inputs))
        if used is None:
            used = [True] * len(jaxpr.outvars)

        def read(v):
            return self.literal(v) if isinstance(v, Literal) else env[v]

        for eqn in _live_equations(jaxpr, used):
            args = [read(v) for v in eqn.invars]
            outs = self.equation(eqn, args, [isinstance(v, Var) and not isinstance(v, DropVar)
                                             for v in eqn.outvars])
            for var, val in zip(eqn.outvars, outs):
                if not isinstance(var, DropVar):
                    env[var] = val
        return [read(v) if u else None for v, u in zip(jaxpr.outvars, used)]

    def equation(self, eqn, args, used) -> list:
        name = eqn.primitive.name
        sub = next((eqn.params[p] for p in _CALL_PARAMS if p in eqn.params), None)
        if sub is not None and name not in _NOT_A_CALL:
            return self.inline(eqn, sub, args, used)
        conv = CONVERTERS.get(name)
        if conv is None:
            self.unsupported(eqn, "furcate cannot express it"
                             + (" (random numbers are not supported: generate them outside furcate.jit "
                                "and pass them in)" if "random" in name or "threefry" in name else ""))
        for v in eqn.invars:
            spec_of_aval(v.aval, f"an operand of '{name}' at {self.where(eqn)}")
        for i, v in enumerate(eqn.outvars):
            spec_of_aval(v.aval, f"result {i} of '{name}' at {self.where(eqn)}")
        folded = self.fold(eqn, args)
        if folded is not None:
            return folded
        try:
            outs = conv(self, eqn, args)
        except BuildError as e:
            raise UnsupportedError(f"JAX primitive '{name}' at {self.where(eqn)} could not be "
                                   f"lowered: {e}") from None
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        for i, (var, val) in enumerate(zip(eqn.outvars, outs)):
            want = spec_of_aval(var.aval, f"result {i} of '{name}' at {self.where(eqn)}")
            if self.spec(val) != want:
                raise FurcateError(f"internal error: '{name}' at {self.where(eqn)} lowered to "
                                   f"{self.spec(val)}, the jaxpr says {want}")
        return outs

    def fold(self, eqn, args):
        """Scalar equations of trace-time constants (index arithmetic such as the start of a
        ``dynamic_slice``) are evaluated by JAX itself and become constants; None otherwise."""
        values = [self.known(a) for a in args]
        if eqn.effects or any(v is None for v in values) or any(v.aval.shape for v in eqn.outvars):
            return None
        res = eqn.primitive.bind(*values, **eqn.params)
        res = res if eqn.primitive.multiple_results else [res]
        return [self.constant(np.asarray(r, dtype=v.aval.dtype), f"folded {eqn.primitive.name}")
                for r, v in zip(res, eqn.outvars)]

    def inline(self, eqn, sub, args, used) -> list:
        jaxpr, consts = (sub.jaxpr, sub.consts) if hasattr(sub, "consts") else (sub, ())
        if len(jaxpr.constvars) != len(consts):
            self.unsupported(eqn, "its sub-program has unbound constants")
        inner = [(v.aval.shape, v.aval.dtype) for v in jaxpr.invars]
        outer = [(v.aval.shape, v.aval.dtype) for v in eqn.invars]
        if inner != outer or len(jaxpr.outvars) != len(eqn.outvars):
            self.unsupported(eqn, "its sub-program is not a plain call of its operands")
        self._callers.append(eqn)
        try:
            return self.lower(jaxpr, consts, args, used)
        finally:
            self._callers.pop()


def _live_equations(jaxpr, used) -> list:
    """Equations whose results are needed (or that have effects), in order."""
    live = {v for v, u in zip(jaxpr.outvars, used) if u and isinstance(v, Var)}
    keep = []
    for eqn in reversed(jaxpr.eqns):
        if eqn.effects or any(v in live for v in eqn.outvars if not isinstance(v, DropVar)):
            keep.append(eqn)
            live.update(v for v in eqn.invars if isinstance(v, Var))
    return keep[::-1]


def lower_closed_jaxpr(closed, arg_names=None, *, freeze: bool = False, call_site: str = "") -> Program:
    """A verified furcate ``Program`` computing ``closed`` (a ``ClosedJaxpr``); ``call_site``:
    the user's line errors name when an equation's own traceback has none."""
    b = GraphBuilder(freeze=freeze)
    names = arg_names or [None] * len(closed.jaxpr.invars)
    inputs = [b.arg(spec_of_aval(v.aval, f"input {n!r}" if n else f"input {i}"), name=n)
              for i, (v, n) in enumerate(zip(closed.jaxpr.invars, names))]
    cx = Lowering(b, call_site)
    outs = cx.lower(closed.jaxpr, closed.consts, inputs)
    return b.finish(outs)


# --------------------------------------------------------------------------
# tracing


@dataclass
class Traced:
    """One traced signature: the closed jaxpr and the pytree structures around it."""

    closed: object
    in_tree: object
    out_tree: object
    in_avals: tuple
    arg_names: list
    call_site: str = ""  # the user's line that called furcate (see user_call_site)


def _split_static(args, static_argnums):
    """``({index: static value}, [dynamic args])``; negative indices count from the end."""
    static = {}
    dyn = []
    n = len(args)
    want = {i + n if i < 0 else i for i in static_argnums}
    for i in want:
        if not 0 <= i < n:
            raise ValueError(f"static_argnums {tuple(static_argnums)} refers to argument {i}, "
                             f"but the function was called with {n} positional arguments")
    for i, a in enumerate(args):
        if i in want:
            static[i] = a
        else:
            dyn.append(a)
    return static, dyn


def _arg_names(fun, leaves_with_path, static) -> list:
    """Readable input names from the function's parameters and pytree paths (``params_w1``)."""
    try:
        params = [p.name for p in inspect.signature(fun).parameters.values()]
    except (TypeError, ValueError):
        params = []
    dyn_params = [p for i, p in enumerate(params) if i not in static]
    names = []
    for path, _ in leaves_with_path:
        keys = [getattr(k, "idx", getattr(k, "key", getattr(k, "name", None))) for k in path]
        if keys and keys[0] == 0 and len(keys) > 1 and isinstance(keys[1], int) and keys[1] < len(dyn_params):
            keys = [dyn_params[keys[1]], *keys[2:]]
        elif keys:
            keys = keys[1:]
        names.append("_".join(str(k) for k in keys) or "arg")
    return names


def trace(fun, args, kwargs=None, static_argnums=()) -> Traced:
    """Trace ``fun(*args, **kwargs)`` with ``jax.make_jaxpr``; static args are closed over."""
    static, dyn = _split_static(args, static_argnums)
    leaves_with_path, in_tree = jax.tree_util.tree_flatten_with_path((tuple(dyn), dict(kwargs or {})))
    leaves = [x for _, x in leaves_with_path]

    def flat_fun(*flat):
        d, kw = jax.tree_util.tree_unflatten(in_tree, flat)
        it = iter(d)
        full = [static[i] if i in static else next(it) for i in range(len(args))]
        return fun(*full, **kw)

    closed, out_shape = jax.make_jaxpr(flat_fun, return_shape=True)(*leaves)
    out_tree = jax.tree_util.tree_structure(out_shape)
    avals = tuple(v.aval for v in closed.jaxpr.invars)
    return Traced(closed, in_tree, out_tree, avals, _arg_names(fun, leaves_with_path, static), user_call_site())


def capture(fun, example_args, static_argnums=(), *, freeze: bool = False):
    """Trace and lower ``fun`` for ``example_args`` (arrays, ``jax.ShapeDtypeStruct`` or
    furcate ``TensorSpec``); returns ``(Program, out_tree)``."""
    args = [jax.ShapeDtypeStruct(a.shape, a.np_dtype) if isinstance(a, TensorSpec) else a
            for a in example_args]
    t = trace(fun, args, {}, static_argnums)
    return lower_closed_jaxpr(t.closed, t.arg_names, freeze=freeze, call_site=t.call_site), t.out_tree


# --------------------------------------------------------------------------
# jit


@dataclass
class _Compiled:
    executable: object
    traced: Traced


def _signature_text(avals, static) -> str:
    parts = [a.str_short(short_dtypes=True) if hasattr(a, "str_short") else str(a) for a in avals]
    text = ", ".join(parts)
    if static:
        text += "; static " + ", ".join(f"arg{i}={v!r}" for i, v in sorted(static.items()))
    return text


class JitFunction:
    """A function compiled by furcate per input signature (what ``furcate.jit`` returns)."""

    def __init__(self, fun, target: str, static_argnums, options: dict):
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        self.fun = fun
        self.target = target
        self.static_argnums = tuple(int(i) for i in static_argnums)
        options = dict(options)
        limit = options.pop("recompile_limit", None)
        self._recompile_limit = None if limit is None else int(limit)
        self._named = options.get("name") is not None  # else each compile is named after the function
        self.options = CompileOptions.of(options)
        self._cache: dict = {}
        self._eager: set = set()  # signatures past the recompile limit: plain JAX
        self._warned = False
        self._lock = threading.Lock()
        functools.update_wrapper(self, fun)

    @property
    def recompile_limit(self) -> int:
        """Signatures compiled before new ones run in plain JAX (``recompile_limit=N``, else
        ``default_recompile_limit()`` at the time of the call)."""
        return default_recompile_limit() if self._recompile_limit is None else self._recompile_limit

    @property
    def name(self) -> str:
        return getattr(self.fun, "__qualname__", getattr(self.fun, "__name__", "function"))

    def _key(self, args, kwargs):
        static, dyn = _split_static(args, self.static_argnums)
        try:
            static_key = tuple(sorted((i, v) for i, v in static.items()))
            hash(static_key)
        except TypeError:
            bad = [i for i, v in static.items() if not _hashable(v)]
            raise ValueError(f"furcate.jit({self.name}): static argument {bad[0]} "
                             f"({type(static[bad[0]]).__name__}) is not hashable") from None
        leaves, in_tree = jax.tree_util.tree_flatten((tuple(dyn), dict(kwargs)))
        avals = tuple(jax.typeof(x) for x in leaves)
        return (in_tree, avals, static_key), leaves, static

    def compiled_for(self, *args, **kwargs) -> _Compiled | None:
        """The compiled entry for these arguments (compiling it if needed); None when this
        signature is past the recompile limit and runs in plain JAX."""
        key, _, _ = self._key(args, kwargs)
        return self._lookup(key, args, kwargs)

    def _lookup(self, key, args, kwargs) -> _Compiled | None:
        entry = self._cache.get(key)  # a hit needs no lock (writes happen under it)
        if entry is not None:
            return entry
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None or key in self._eager:
                return entry
            limit = self.recompile_limit
            if len(self._cache) >= limit:
                self._go_eager(key, limit)
                return None
            entry = self._compile(args, kwargs, key)
            self._cache[key] = entry
            return entry

    def _go_eager(self, key, limit: int) -> None:
        """Record (and, the first time, warn) that a signature past the limit runs in plain JAX."""
        self._eager.add(key)
        sig = _signature_text(key[1], dict(key[2]))
        with STATS.lock:
            STATS.ops_eager[f"furcate.jit({self.name})"] += 1
        diagnostics.record_eager_fallback(f"furcate.jit({self.name}): recompile limit of {limit} reached, "
                                          f"plain JAX (op by op) for signature ({sig})")
        if not self._warned:
            self._warned = True
            log("recompiles").warning(
                "furcate.jit(%s): more than %d input signatures; new ones (first: %s) run in plain JAX, op by op, "
                "not compiled. Raise the limit with furcate.jit(fn, recompile_limit=N)", self.name, limit, sig)

    def _compile(self, args, kwargs, key) -> _Compiled:
        from furcate.compiler import compile_program

        n = len(self._cache) + 1
        sig = _signature_text(key[1], dict(key[2]))
        if n > 1:
            with STATS.lock:
                STATS.recompiles += 1
        log("recompiles").info("furcate.jit(%s): compile #%d for signature (%s)", self.name, n, sig)
        with diagnostics.timed("frontend:jax"):
            traced = trace(self.fun, args, kwargs, self.static_argnums)
            program = lower_closed_jaxpr(traced.closed, traced.arg_names, freeze=self.options.freeze,
                                         call_site=traced.call_site)
        name = self.options.name if self._named else (
            re.sub(r"\W+", "_", getattr(self.fun, "__name__", "")).strip("_") or "main")
        # the jaxpr is written to a dump's captured.txt
        options = self.options.replace(name=name, captured=lambda: str(traced.closed))
        exe = compile_program(program, self.target, options)
        exe.input_names = traced.arg_names
        return _Compiled(exe, traced)

    def __call__(self, *args, **kwargs):
        key, leaves, _ = self._key(args, kwargs)
        entry = self._lookup(key, args, kwargs)
        if entry is None:
            return self.fun(*args, **kwargs)
        exe = entry.executable
        arrays = [_argument(x, aval, exe.accepts_jax_arrays) for x, aval in zip(leaves, entry.traced.in_avals)]
        outs = exe(*arrays)
        return jax.tree_util.tree_unflatten(entry.traced.out_tree, [_to_jax(o) for o in outs])

    def cache_size(self) -> int:
        return len(self._cache)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._eager.clear()


def _hashable(v) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _to_jax(out):
    """An output as a jax array. ``jax.device_put`` shares a large aligned NumPy buffer on CPU
    where ``jnp.asarray`` copies it (0.5 ms per 8 MiB); for small ones ``jnp.asarray`` is ~10 µs faster."""
    return jax.device_put(out) if out.nbytes >= 1 << 16 else jax.numpy.asarray(out)


def _argument(x, aval, accepts_jax_arrays: bool):
    """An argument as the executable takes it: a jax Array as it is where the executable accepts
    them (XLA on a GPU/TPU: no round trip through the host), else a NumPy array (``_to_numpy``).
    The executable's guards check either's shape and dtype."""
    if accepts_jax_arrays and isinstance(x, jax.Array) and x.dtype == aval.dtype:
        return x
    return _to_numpy(x, aval)


def _to_numpy(x, aval) -> np.ndarray:
    """An argument as a NumPy array of its traced dtype (no copy for CPU jax/NumPy arrays)."""
    arr = np.asarray(x)
    want = np.dtype(aval.dtype)
    return arr if arr.dtype == want else arr.astype(want)


def jit(fun=None, *, target: str = "auto", static_argnums=(), **options):
    """``furcate.jit(fn, target=..., static_argnums=...)``, ``@furcate.jit`` or
    ``@furcate.jit(target="numpy")``: a ``jax.jit``-like wrapper compiled by furcate."""
    if fun is None:
        return lambda f: JitFunction(f, target, static_argnums, options)
    if not callable(fun):
        raise TypeError(f"furcate.jit expects a function, got {type(fun).__name__}")
    return JitFunction(fun, target, static_argnums, options)


__all__ = ["jit", "capture", "trace", "lower_closed_jaxpr", "JitFunction", "RECOMPILE_LIMIT", "default_recompile_limit"]
