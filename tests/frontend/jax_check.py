"""Shared helper of the JAX frontend tests: run a function through furcate.jit and jax.jit."""

from __future__ import annotations

import os

import jax
import numpy as np

import furcate
from tests.tolerance import assert_close

# the reference target; FURCATE_JAX_TEST_TARGET=xla (or c) reruns these tests on another backend
TARGET = os.environ.get("FURCATE_JAX_TEST_TARGET", "numpy")


def check(fn, *args, accumulated: bool = False, static_argnums=(), target: str = TARGET, **kw):
    """furcate.jit(fn, target=target) and jax.jit(fn) agree on ``args`` (pytree structure, dtypes, values)."""
    eager_before = furcate.stats()["ops_eager"]
    got = furcate.jit(fn, target=target, static_argnums=static_argnums)(*args)
    assert furcate.stats()["ops_eager"] == eager_before, "furcate.jit ran plain JAX instead of compiling"
    want = jax.jit(fn, static_argnums=static_argnums)(*args)
    assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(want)
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        assert isinstance(g, jax.Array), type(g)
        assert_close(np.asarray(g), np.asarray(w), accumulated=accumulated, **kw)
    return got


def rand(shape, dtype="float32", seed=0, special=False, low=-3.0, high=3.0):
    """Random test data; ``special`` plants NaN, ±inf and -0.0 in float data."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype) if dtype != "bfloat16" else jax.numpy.bfloat16
    if np.dtype(dt).kind == "b":
        return jax.numpy.asarray(rng.random(shape) > 0.5)
    if np.dtype(dt).kind in "iu":
        return jax.numpy.asarray(rng.integers(int(low) * 3, int(high) * 3 + 1, size=shape).astype(dt))
    x = rng.uniform(low, high, size=shape).astype(np.float32)
    if special:
        flat = x.reshape(-1)
        for i, v in enumerate([np.nan, np.inf, -np.inf, -0.0, 0.0]):
            if i < flat.size:
                flat[(i * 7) % flat.size] = v
    return jax.numpy.asarray(x.astype(dt))
