"""How the XLA backend moves data (furcate/backends/xla/pjrt.py ``Runner``): aligned inputs
used in place, others staged, outputs as writeable NumPy views of fresh XLA buffers that
never alias an input, another output, a constant or an earlier call's result."""

from __future__ import annotations

import threading

import ml_dtypes
import numpy as np
import pytest

from furcate.backends.xla import XlaBackend, pjrt
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

pytest.importorskip("jax")


def compile_unary(spec: TensorSpec, body):
    b = GraphBuilder()
    x = b.arg(spec)
    outs = body(b, x)
    return XlaBackend().compile(b.finish(list(outs) if isinstance(outs, (list, tuple)) else [outs]), {})


def runner_of(exe) -> pjrt.Runner:
    return exe.steps[0].kernel.runner


def unaligned(shape, dtype) -> np.ndarray:
    """A C-contiguous array whose data is 16 bytes off a 64-byte boundary."""
    n = int(np.prod(shape)) * np.dtype(dtype).itemsize
    raw = pjrt.aligned_empty((n + 64,), np.uint8)
    return raw[16:16 + n].view(dtype).reshape(shape)


def test_aligned_input_is_used_in_place():
    exe = compile_unary(TensorSpec((256, 64), "f32"), lambda b, x: b.op("neg", x))
    a = pjrt.aligned_empty((256, 64), np.float32)
    a[...] = np.arange(a.size, dtype=np.float32).reshape(a.shape)
    (buf,) = runner_of(exe).bind([a])
    assert buf.unsafe_buffer_pointer() == a.ctypes.data
    assert_close(exe(a)[0], -a)


@pytest.mark.parametrize("make", [lambda: unaligned((256, 64), np.float32),
                                  lambda: pjrt.aligned_empty((64, 512), np.float32).T],
                         ids=["unaligned", "transposed"])
def test_other_inputs_are_staged_and_the_staging_buffer_is_reused(make):
    a = make()
    exe = compile_unary(TensorSpec(a.shape, "f32"), lambda b, x: b.op("mul", x, x))
    runner = runner_of(exe)
    a[...] = np.linspace(-3, 3, a.size, dtype=np.float32).reshape(a.shape)
    assert_close(exe(a)[0], a * a)
    staged = runner._staging[0]
    assert staged.ctypes.data % pjrt.ALIGNMENT == 0 and not np.shares_memory(staged, a)
    a += 1  # the next call sees the new values through the same staging buffer
    assert_close(exe(a)[0], a * a)
    assert runner._staging[0] is staged


def test_outputs_are_writeable_views_of_fresh_xla_buffers():
    exe = compile_unary(TensorSpec((1000,), "f32"), lambda b, x: b.op("exp", x))
    a = np.linspace(-1, 1, 1000, dtype=np.float32)
    (o1,) = exe(a)
    assert o1.flags.writeable and o1.flags.c_contiguous and o1.ctypes.data % pjrt.ALIGNMENT == 0
    assert isinstance(o1.base, pjrt._HostBuffer)  # a view of the XLA buffer, not a copy
    assert o1.ctypes.data == o1.base.owner.unsafe_buffer_pointer()
    o1[:] = 123.0
    (o2,) = exe(a)
    assert not np.shares_memory(o1, o2)
    assert_close(o2, np.exp(a))


def test_outputs_never_alias_an_in_place_input_each_other_a_constant_or_a_weight():
    b = GraphBuilder()
    x = b.arg(TensorSpec((32,), "f64"))
    c = b.op("broadcast_in_dim", b.constant(np.float64(2.5)), broadcast_dimensions=[], shape=[32])
    w = b.constant(np.arange(32, dtype=np.float64), name="w")  # a weight: an argument of @main
    y = b.op("neg", x)
    exe = XlaBackend().compile(b.finish([x, y, y, c, w]), {})
    a = pjrt.aligned_empty((32,), np.float64)
    a[...] = np.arange(32) / 3
    ref = a.copy()
    o = exe(a)
    assert runner_of(exe).bind([a])[0].unsafe_buffer_pointer() == a.ctypes.data  # the input went in place
    for i, u in enumerate(o):
        assert not np.shares_memory(u, a)
        assert all(not np.shares_memory(u, v) for v in o[i + 1:])
    for u in o:
        u[...] = -7.0
    assert_close(a, ref)  # writing the outputs left the input alone
    o = exe(a)
    assert_close(o[0], ref)
    assert_close(o[2], -ref)
    assert_close(o[3], np.full(32, 2.5))  # and the constant
    assert_close(o[4], np.arange(32, dtype=np.float64))  # and the weight


def test_weights_are_copied_at_compile_time():
    w = np.arange(32, dtype=np.float32)
    b = GraphBuilder()
    x = b.arg(TensorSpec((32,), "f32"))
    prog = b.finish([b.op("add", x, b.constant(w, name="w"))])
    exe = XlaBackend().compile(prog, {})
    prog.constants[next(iter(prog.constants))][...] = 100.0  # the host copy changes later
    assert_close(exe(np.zeros(32, np.float32))[0], np.arange(32, dtype=np.float32))


@pytest.mark.parametrize("spec,value", [
    (TensorSpec((5,), "bf16"), np.array([1.5, -2, 3e38, np.inf, np.nan], ml_dtypes.bfloat16)),
    (TensorSpec((3, 2), "i1"), np.array([[True, False], [False, True], [True, True]])),
    (TensorSpec((), "i64"), np.array(2**40, np.int64)),
    (TensorSpec((0, 3), "f16"), np.zeros((0, 3), np.float16)),
], ids=["bf16", "bool", "scalar-i64", "empty"])
def test_dtypes_and_shapes_round_trip_as_writeable_arrays(spec, value):
    exe = compile_unary(spec, lambda b, x: [x, b.op("select", b.op("compare", x, x, comparison_direction="EQ"), x, x)])
    for out in exe(value):
        assert out.dtype == value.dtype and out.shape == value.shape and out.flags.writeable
        assert_close(out, value)


def test_concurrent_calls_get_their_own_results():
    spec = TensorSpec((64, 64), "f32")
    exe = compile_unary(spec, lambda b, x: b.op("add", x, x))
    errors = []

    def worker(k):
        a = unaligned((64, 64), np.float32)  # staged: threads must not share a staging buffer
        for i in range(30):
            a[...] = k * 1000 + i
            (o,) = exe(a)
            if not np.array_equal(o, a + a):
                errors.append((k, i))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_jax_array_on_the_executables_device_is_passed_as_it_is(monkeypatch):
    """A device-resident jax Array is handed to XLA itself (no host round trip, no np.asarray)."""
    exe = compile_unary(TensorSpec((4, 8), "f32"), lambda b, x: b.op("mul", x, x))
    runner = runner_of(exe)
    host = np.linspace(-2, 2, 32, dtype=np.float32).reshape(4, 8)
    (dev,) = pjrt.to_device([host], runner.compiled)  # a jax Array on the executable's own device
    real_asarray = np.asarray

    def no_host_copy(a, *args, **kw):
        assert a is not dev, "the device-resident input was brought back to the host"
        return real_asarray(a, *args, **kw)

    monkeypatch.setattr(pjrt.np, "asarray", no_host_copy)
    (buf,) = runner.bind([dev])
    assert buf is dev
    assert_close(exe(dev)[0], host * host)


def test_jax_array_of_another_client_is_bound_from_host_memory():
    """An array of JAX's own CPU client (not the executable's device) is still accepted."""
    jnp = pytest.importorskip("jax.numpy")
    exe = compile_unary(TensorSpec((3, 5), "f32"), lambda b, x: b.op("neg", x))
    x = jnp.arange(15, dtype=jnp.float32).reshape(3, 5)
    (buf,) = runner_of(exe).bind([x])
    assert buf is not x
    assert_close(exe(x)[0], -np.asarray(x))
