"""furcate.jit's API: decorator forms, pytrees, static args, caching, recompiles, errors, capture."""

from __future__ import annotations

import logging
import re
import sys
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import furcate
from furcate.dtypes import TensorSpec
from furcate.frontend.jaxpr import RECOMPILE_LIMIT, capture, default_recompile_limit
from furcate.runtime.executable import GuardError
from tests.frontend.jax_check import check, rand
from tests.tolerance import assert_close


def test_decorator_forms():
    @furcate.jit
    def f(x):
        return jnp.tanh(x) * 2

    @furcate.jit(target="numpy")
    def g(x):
        return jnp.tanh(x) * 2

    x = rand((3, 4))
    assert f.__name__ == "f"
    assert_close(np.asarray(f(x)), np.asarray(jnp.tanh(x) * 2))
    assert_close(np.asarray(g(x)), np.asarray(jnp.tanh(x) * 2))
    assert isinstance(g(x), jax.Array)


def test_pytrees_in_and_out_with_kwargs():
    def f(params, xs, *, scale):
        a, b = xs
        return {"sum": params["w"] @ a + b, "parts": [a * scale, None, (b.max(),)]}

    params = {"w": rand((3, 4), seed=1)}
    xs = (rand((4, 2), seed=2), rand((3, 2), seed=3))
    got = furcate.jit(f, target="numpy")(params, xs, scale=2.0)
    want = f(params, xs, scale=2.0)
    assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(want)
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        assert_close(np.asarray(g), np.asarray(w), accumulated=True)


def test_outputs_that_are_inputs_literals_or_repeated():
    check(lambda x, y: (x, 1.0, x * 2, x * 2, y), rand((3,)), rand((2,), "int32"))


def test_unused_inputs_and_dead_code_are_dropped():
    def f(x, y):
        _ = jnp.sort(y)  # dead: never lowered (sort is unsupported)
        return x + 1

    check(f, rand((4,)), rand((4,), seed=1))


def test_static_argnums_and_negative_index():
    def f(x, n, mode):
        return x[:, n] * (2 if mode == "double" else 1)

    x = rand((3, 5))
    jf = furcate.jit(f, target="numpy", static_argnums=(1, -1))
    assert_close(np.asarray(jf(x, 2, "double")), np.asarray(f(x, 2, "double")))
    assert_close(np.asarray(jf(x, 4, "single")), np.asarray(f(x, 4, "single")))
    assert jf.cache_size() == 2
    with pytest.raises(ValueError, match="not hashable"):
        jf(x, 1, ["unhashable"])


def test_second_call_does_not_retrace_or_recompile():
    traces = []

    def f(x):
        traces.append(1)
        return x * 3

    jf = furcate.jit(f, target="numpy")
    before = furcate.stats()
    x = rand((2, 2))
    jf(x)
    jf(x + 1)
    jf(np.ones((2, 2), np.float32))  # same signature from a NumPy array
    after = furcate.stats()
    assert len(traces) == 1
    assert after["graphs_compiled"] - before["graphs_compiled"] == 1
    assert after["recompiles"] == before["recompiles"]


def test_new_shapes_dtypes_and_weak_types_recompile_and_log(furcate_log):
    jf = furcate.jit(lambda x, s: x * s, target="numpy")
    messages = furcate_log("recompiles")
    furcate.enable_logging("recompiles")
    before = furcate.stats()["recompiles"]
    jf(rand((2,)), 2.0)
    jf(rand((3,)), 2.0)  # new shape
    jf(rand((3,)), jnp.float32(2.0))  # strong f32 instead of a weak Python float
    jf(rand((3,), "bfloat16"), 2.0)  # new dtype
    out = jf(rand((3,), "bfloat16"), 2.0)
    assert out.dtype == jnp.bfloat16  # the weak scalar does not promote, as in JAX
    assert jf.cache_size() == 4
    assert furcate.stats()["recompiles"] - before == 3
    assert len(messages) == 4 and "compile #4" in messages[-1] and "bf16[3]" in messages[-1]


def test_past_the_recompile_limit_runs_plain_jax_with_one_warning(furcate_log):
    def add_one(x):
        return x + 1

    jf = furcate.jit(add_one, target="numpy", recompile_limit=2)
    warnings = furcate_log("recompiles", logging.WARNING)
    furcate.stats(reset=True)
    for n in (1, 2, 3, 4, 3, 1):
        assert_close(np.asarray(jf(rand((n,)))), np.asarray(rand((n,))) + 1)
    st = furcate.stats(reset=True)
    assert jf.cache_size() == 2 and st["graphs_compiled"] == 2
    assert len(warnings) == 1 and "more than 2 input signatures" in warnings[0] and "plain JAX" in warnings[0]
    assert st["ops_eager"] == {"furcate.jit(test_past_the_recompile_limit_runs_plain_jax_with_one_warning."
                               "<locals>.add_one)": 2}  # shapes 3 and 4, each recorded once
    fallbacks = st["eager_fallbacks"]
    assert len(fallbacks) == 2 and "f32[3]" in fallbacks[0] and "f32[4]" in fallbacks[1]


def test_default_recompile_limit_follows_a_loaded_torch_config(monkeypatch):
    """torch's Dynamo limit when it is loaded; furcate never imports torch to read it."""
    monkeypatch.delitem(sys.modules, "torch._dynamo.config", raising=False)
    assert default_recompile_limit() == RECOMPILE_LIMIT == 8
    monkeypatch.setitem(sys.modules, "torch._dynamo.config", types.SimpleNamespace(recompile_limit=3))
    assert default_recompile_limit() == 3
    jf = furcate.jit(lambda x: x * 2, target="numpy")
    assert jf.recompile_limit == 3
    assert furcate.jit(lambda x: x, target="numpy", recompile_limit=5).recompile_limit == 5


def test_float64_inputs_follow_jax_x64_setting():
    x = np.linspace(-1, 1, 6)  # float64 NumPy array: JAX (x64 off) computes in f32
    got = furcate.jit(lambda a: a * 2, target="numpy")(x)
    assert got.dtype == jax.jit(lambda a: a * 2)(x).dtype
    assert_close(np.asarray(got), np.asarray(jax.jit(lambda a: a * 2)(x)))


def test_unknown_option_is_rejected_at_jit_time():
    with pytest.raises(ValueError, match="unknown furcate option"):
        furcate.jit(lambda x: x, target="numpy", not_an_option=1)


def _random_fn(x):
    return x + jax.random.normal(jax.random.key(0), x.shape)


def test_random_raises_unsupported_with_primitive_and_source_line():
    with pytest.raises(furcate.UnsupportedError) as info:
        furcate.jit(_random_fn, target="numpy")(rand((3,)))
    msg = str(info.value)
    assert re.search(r"'random_\w+'", msg), msg
    assert re.search(r"test_jax_jit\.py:\d+", msg), msg


@pytest.mark.parametrize("fn,prim", [
    (lambda x: jnp.sort(x), "sort"),
    (lambda x: jax.lax.fori_loop(0, 3, lambda i, c: c * 2, x), "while|scan"),
    (lambda x: jax.lax.top_k(x, 2)[0], "top_k"),
    (lambda x: (x.astype(jnp.complex64) * 1j).real, "convert_element_type"),
])
def test_other_unsupported_primitives_are_named(fn, prim):
    with pytest.raises(furcate.UnsupportedError, match=rf"'({prim})' at .*test_jax_jit\.py:\d+"):
        furcate.jit(fn, target="numpy")(rand((4,)))


def test_unsupported_primitive_of_a_jnp_function_names_the_users_line():
    """jnp.sort / jnp.linalg.inv passed straight to furcate.jit: the user's call line, not furcate's."""
    for fn, prim in ((jnp.sort, "sort"), (jnp.linalg.inv, "lu")):
        with pytest.raises(furcate.UnsupportedError) as info:
            furcate.jit(fn, target="numpy")(jnp.eye(3) + 1)
        msg = str(info.value)
        assert f"'{prim}'" in msg and re.search(r"test_jax_jit\.py:\d+ \(test_unsupported_primitive", msg), msg
        assert "jaxpr.py" not in msg


@pytest.mark.parametrize("key", [jax.random.key(0), jax.random.PRNGKey(0)], ids=["typed", "legacy_uint32"])
def test_random_key_argument_is_unsupported_and_named(key):
    with pytest.raises(furcate.UnsupportedError, match=r"input 'seed'.*random keys and random ops are not supported"):
        furcate.jit(lambda x, seed: x + jax.random.normal(seed, x.shape), target="numpy")(rand((3,)), key)


def test_scatter_with_many_repeated_indices_asks_for_unique_indices():
    with pytest.raises(furcate.UnsupportedError, match=r"'scatter'.*unique_indices=True"):
        furcate.jit(lambda a, i: a.at[i].set(1.0), target="numpy")(jnp.zeros(8), jnp.zeros(3000, jnp.int32))


def test_unsigned_inputs_are_rejected_by_dtype():
    with pytest.raises(furcate.UnsupportedError, match="uint8"):
        furcate.jit(lambda x: x + 1, target="numpy")(jnp.ones((2,), jnp.uint8))


def test_capture_with_specs_gives_verified_ir_and_out_tree():
    w = jnp.asarray(np.random.default_rng(0).standard_normal((32, 8)), jnp.float32)

    def f(x):
        return {"y": jnp.tanh(x @ w), "s": x.sum()}

    program, out_tree = capture(f, [TensorSpec((4, 32), "f32")])
    program.verify()
    text = program.text()
    assert program.input_specs == [TensorSpec((4, 32), "f32")]
    assert sorted(map(str, program.output_specs)) == ["f32[4,8]", "f32[]"]
    assert "furcate.tanh" in text and "furcate.dot_general" in text
    # the closed-over weight is held by the program, not printed
    assert "furcate.constant_ref" in text and len(program.constants) == 1
    (arr,) = program.constants.values()
    np.testing.assert_array_equal(arr, np.asarray(w))
    assert jax.tree_util.tree_structure({"y": 0, "s": 0}) == out_tree


def test_capture_inlines_nested_jits_and_keeps_literals():
    program, _ = capture(lambda x: jnp.where(x > 0, x, -jnp.inf), [jnp.ones((2, 3))])
    text = program.text()
    assert "jit" not in text and "-inf" in text and "furcate.select" in text


@pytest.mark.parametrize("fn,args,ops", [
    (lambda e, i: e[i], ((10, 4), (2, 3)), ["furcate.gather "]),
    (jax.grad(lambda e, i: e[i].sum()), ((10, 4), (2, 3)), ["furcate.scatter_add "]),
    (lambda x, i: jnp.take_along_axis(x, i, axis=1), ((3, 5), (3, 2)), ["furcate.gather_along "]),
    (jax.grad(lambda x, i: jnp.take_along_axis(x, i, axis=1).sum()), ((3, 5), (3, 2)),
     ["furcate.scatter_add_along "]),
    (lambda x, w: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")),
     ((1, 5, 5, 2), (3, 3, 2, 4)), ["furcate.transpose ", "furcate.convolution "]),
    (lambda x: jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2), (1, 2), "VALID"), ((2, 6),),
     ['kind = "max"']),
])
def test_indexing_and_conv_forms_map_to_furcate_ops(fn, args, ops):
    specs = [jax.ShapeDtypeStruct(args[0], jnp.float32)] + [jax.ShapeDtypeStruct(s, jnp.int32) for s in args[1:]]
    if "conv" in ops[-1]:
        specs = [jax.ShapeDtypeStruct(s, jnp.float32) for s in args]
    program, _ = capture(fn, specs)
    text = program.text()
    for op in ops:
        assert op in text, text


def test_input_names_come_from_parameters_and_pytree_paths():
    program, _ = capture(lambda params, x: params["w"] @ x, [{"w": jnp.ones((2, 3))}, jnp.ones((3,))])
    assert "%params_w" in program.text() and "%x" in program.text()


def test_dump_dir_has_the_captured_jaxpr(tmp_path):
    f = furcate.jit(lambda x: jnp.tanh(x) * 2.0, target="numpy", dump_dir=str(tmp_path))
    x = rand((3, 4))
    assert_close(f(x), np.tanh(x) * 2.0)
    (d,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    text = (d / "captured.txt").read_text()
    assert "tanh" in text and "f32[3,4]" in text and "lambda" in text


def test_jax_arrays_reach_the_xla_runner_as_they_are(monkeypatch):
    """target="xla": a jax Array argument reaches the XLA runner unchanged; one already on the
    executable's device (on a GPU/TPU: any of the user's arrays there) is bound without a
    device_put, never brought to the host. NumPy arguments are bound as before."""
    from furcate.backends.xla import pjrt

    jf = furcate.jit(lambda x, y: jnp.tanh(x) * y, target="xla")
    x, y = rand((3, 4)), np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    exe = jf.compiled_for(x, y).executable
    assert exe.accepts_jax_arrays
    runner = exe.steps[0].kernel.runner
    seen, puts = [], []
    bind, put = runner.bind, runner._device_put
    monkeypatch.setattr(runner, "bind", lambda args, staging=None: seen.append(list(args)) or bind(args, staging))
    monkeypatch.setattr(runner, "_device_put", lambda aval, sharding, arrays, *a, **kw: puts.append(arrays[0])
                        or put(aval, sharding, arrays, *a, **kw))
    assert_close(np.asarray(jf(x, y)), np.tanh(np.asarray(x)) * y)
    assert len(seen) == 1 and seen[0][0] is x and type(seen[0][1]) is np.ndarray, seen
    # on CPU furcate runs its own XLA client: JAX's CPU arrays are bound through a host view
    (on_device,) = pjrt.to_device([np.asarray(x)], runner.compiled)
    seen.clear()
    puts.clear()
    assert_close(np.asarray(jf(on_device, y)), np.tanh(np.asarray(x)) * y)
    assert len(seen) == 1 and seen[0][0] is on_device, seen
    assert len(puts) == 1 and puts[0] is seen[0][1], puts  # only y was bound
    # the executable's guards check a jax Array's shape and dtype
    with pytest.raises(GuardError, match=r"argument 0 \(x\) has shape \[4, 3\], expected \[3, 4\]"):
        exe(jnp.zeros((4, 3)), y)
    with pytest.raises(GuardError, match=r"argument 0 \(x\) has dtype bfloat16, expected float32"):
        exe(jnp.zeros((3, 4), jnp.bfloat16), y)


def test_other_targets_get_numpy_arrays(monkeypatch):
    jf = furcate.jit(lambda x: jnp.tanh(x), target="numpy")
    x = rand((3, 4))
    exe = jf.compiled_for(x).executable
    assert not exe.accepts_jax_arrays
    seen = []
    check_inputs = exe.check_inputs
    monkeypatch.setattr(exe, "check_inputs", lambda args: seen.append(args) or check_inputs(args))
    assert_close(np.asarray(jf(x)), np.tanh(np.asarray(x)))
    assert len(seen) == 1 and type(seen[0][0]) is np.ndarray, seen
