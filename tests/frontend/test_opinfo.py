"""OpInfo sweep: PyTorch's own op database through ``torch.compile(backend="furcate")`` vs eager.

Every OpInfo of ``torch.testing._internal.common_methods_invocations.op_db`` (or a chosen subset)
runs each sample input, in float32 and the other dtypes it supports among f64/f16/bf16/i32/i64/
bool, through furcate (``dynamic=False``, a fresh Dynamo per sample) and eagerly. An outcome:

- ``passed``: every ATen op of the sample compiled, same result as eager (tolerance table,
  NaN-aware, exact for integers and bools);
- ``fell back``: some ATen op was left to eager (cleanly: logged, in ``stats()``), same result;
- ``xfail``: listed in ``EXPECTED`` below with the reason;
- ``wrong``: a different result, or furcate raised where eager did not. Must be 0.

"Claimed" ops are those furcate's converter table has (``torch_ops.CONVERTERS``): a sample whose
ops are all claimed must pass, and a sample falling back is fine. ``FAST`` is the CI subset (one
dtype set, the first samples); the full sweep is ``benchmarks/opinfo_sweep.py`` or ``FURCATE_OPINFO_FULL=1`` (docs/testing.md).
"""

from __future__ import annotations

import warnings
from collections import Counter

import pytest

torch = pytest.importorskip("torch")


def _stub_expecttest() -> None:
    """torch's test internals import ``expecttest`` (a test dependency of PyTorch, not of furcate)
    only for a TestCase base class: where it is not installed, a stub with unittest's stands in."""
    import sys
    import types
    import unittest

    try:
        import expecttest  # noqa: F401
    except ImportError:
        stub = types.ModuleType("expecttest")
        stub.TestCase = unittest.TestCase
        sys.modules["expecttest"] = stub


_stub_expecttest()
pytest.importorskip("torch.testing._internal.common_methods_invocations")

import furcate  # noqa: E402
from tests.tolerance import assert_close  # noqa: E402

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.bool]

# OpInfo name (or name.variant) -> why it is not compared. One table: skips and expected failures.
EXPECTED: dict[str, str] = {
    # outputs that are random or uninitialised: nothing to compare
    **{n: "random or uninitialised output" for n in (
        "bernoulli", "normal", "normal.number_mean", "rand_like", "randint_like", "randn_like", "randint",
        "multinomial", "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
        "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout.with_train",
        "nn.functional.feature_alpha_dropout.without_train", "uniform", "cauchy", "exponential",
        "geometric", "log_normal", "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided",
        "empty_permuted", "nn.functional.rrelu", "randn", "rand", "torch._scaled_mm")},
    # eager's kernel and torch's own decomposition (core ATen, what furcate compiles; inductor and
    # aot_eager_decomp_partition give the same) disagree: furcate follows the decomposition
    "nn.functional.soft_margin_loss@float16": "eager computes exp(-x*y) in f16 and overflows to inf; "
                                              "the decomposition computes in f32 (finite)",
}


def _expected(op, dtype=None) -> str | None:
    """The reason ``op`` (in ``dtype``) is not compared: keys are ``name[.variant][@dtype]``."""
    full = op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")
    keys = [full, op.name]
    if dtype is not None:
        dt = str(dtype).replace("torch.", "")
        keys = [f"{full}@{dt}", f"{op.name}@{dt}", *keys]
    return next((EXPECTED[k] for k in keys if k in EXPECTED), None)


def op_db():
    from torch.testing._internal.common_methods_invocations import op_db as db

    return db


def _flat(x):
    from torch.utils import _pytree as pytree

    return pytree.tree_leaves(x)


def _why(err: AssertionError) -> str:
    """The informative lines of an ``assert_close`` failure (not the arrays it prints)."""
    lines = [ln.strip() for ln in str(err).strip().splitlines()]
    keep = [ln for ln in lines if ln.startswith(("Mismatched", "Max ", "(shapes")) or " != expected " in ln
            or "location mismatch" in ln]
    return "; ".join(keep)[:300] if keep else (lines[0][:200] if lines else "mismatch")


def _compare(got, want) -> str | None:
    g, w = _flat(got), _flat(want)
    if len(g) != len(w):
        return f"{len(g)} outputs, eager {len(w)}"
    for a, e in zip(g, w):
        if isinstance(e, torch.Tensor):
            if not isinstance(a, torch.Tensor):
                return f"got {type(a).__name__}, eager a tensor"
            if e.is_complex() or e.layout != torch.strided:
                continue
            try:
                assert_close(a, e, accumulated=True)
            except AssertionError as err:
                return _why(err)
        elif isinstance(e, float) and isinstance(a, float):
            if not (a == e or (a != a and e != e) or abs(a - e) <= 1e-5 * max(1.0, abs(e))):
                return f"{a} != {e}"
        elif a != e and not (isinstance(e, float) and e != e):
            return f"{a!r} != {e!r}"
    return None


def run_sample(op, sample) -> tuple[str, str]:
    """(outcome, detail) of one sample: passed | fell back | wrong | eager raised."""
    fn = op.op

    def call(inp, *args, **kwargs):
        return fn(inp, *args, **kwargs)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = call(sample.input, *sample.args, **sample.kwargs)
    except Exception as e:  # noqa: BLE001 -- a sample eager refuses is not compared
        return "eager raised", type(e).__name__
    torch._dynamo.reset()
    furcate.stats(reset=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = torch.compile(call, backend="furcate", dynamic=False)(sample.input, *sample.args, **sample.kwargs)
    except Exception as e:  # noqa: BLE001 -- furcate raising where eager did not is a wrong answer
        msg = str(e).strip().splitlines()
        return "wrong", f"raised {type(e).__name__}: {msg[0][:200] if msg else ''}"
    why = _compare(got, want)
    if why is not None:
        return "wrong", why
    st = furcate.stats()
    return ("fell back" if st["ops_eager"] else "passed"), ",".join(sorted(st["ops_eager"]))


def sweep(ops, dtypes=DTYPES, max_samples: int | None = None, report=None) -> Counter:
    """Run ``ops`` (OpInfos) in ``dtypes``; ``report(op_name, dtype, outcome, detail)`` per
    sample. Returns the counts per outcome (``xfail`` counted once per op and dtype)."""
    counts: Counter = Counter()
    for op in ops:
        name = op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")
        supported = op.supported_dtypes("cpu")
        for dt in dtypes:
            if dt not in supported:
                continue
            reason = _expected(op, dt)
            if reason is not None:
                counts["xfail"] += 1
                if report:
                    report(name, dt, "xfail", reason)
                continue
            try:
                samples = list(op.sample_inputs("cpu", dt, requires_grad=False))
            except Exception as e:  # noqa: BLE001
                counts["no samples"] += 1
                if report:
                    report(name, dt, "no samples", type(e).__name__)
                continue
            for sample in samples[:max_samples]:
                torch.manual_seed(0)
                outcome, detail = run_sample(op, sample)
                counts[outcome] += 1
                if report:
                    report(name, dt, outcome, detail)
    return counts


# the CI subset: common ops of every family furcate claims, float32 + int64, first 3 samples
FAST = (
    "add", "sub", "mul", "div.no_rounding_mode", "div.floor_rounding", "div.trunc_rounding", "remainder",
    "fmod", "floor_divide", "pow", "maximum", "minimum", "fmax", "fmin", "atan2", "exp", "log", "tanh",
    "sigmoid", "sqrt", "rsqrt", "abs", "neg", "sign", "sgn", "floor", "ceil", "round", "trunc", "clamp",
    "where", "eq", "lt", "logical_and", "bitwise_xor", "isnan", "sum", "mean", "prod", "amax", "amin",
    "argmax", "max.reduction_with_dim", "var", "std", "logsumexp", "cumsum", "softmax",
    "nn.functional.gelu", "nn.functional.silu", "nn.functional.relu", "nn.functional.layer_norm",
    "matmul", "mm", "bmm", "addmm", "transpose", "permute", "reshape", "cat", "stack", "gather",
    "index_select", "scatter_add", "masked_fill", "flip", "lerp", "nn.functional.embedding",
    # writing scatters with duplicate indices (the last write stays, as in eager)
    "scatter", "index_put", "nn.functional.max_unpool2d",
)


def _by_name():
    return {op.name + (f".{op.variant_test_name}" if op.variant_test_name else ""): op for op in op_db()}


@pytest.mark.parametrize("name", FAST)
def test_opinfo_fast(name):
    ops = _by_name()
    if name not in ops:
        pytest.skip(f"no OpInfo {name} in this torch")
    results = []
    sweep([ops[name]], dtypes=[torch.float32, torch.int64], max_samples=3,
          report=lambda *r: results.append(r))
    wrong = [r for r in results if r[2] == "wrong"]
    assert not wrong, wrong
    assert any(r[2] in ("passed", "fell back") for r in results) or all(r[2] in ("xfail", "eager raised")
                                                                         for r in results), results


@pytest.mark.skipif(not __import__("os").environ.get("FURCATE_OPINFO_FULL"),
                    reason="the full sweep takes long: set FURCATE_OPINFO_FULL=1 (or run benchmarks/opinfo_sweep.py)")
def test_opinfo_full_sweep():
    counts = sweep(op_db())
    assert counts["wrong"] == 0, counts
