"""The models of benchmarks/models_suite.py at tiny sizes (benchmarks/models.py, size "tiny"):
Hugging Face GPT-2, BERT, Llama, T5 and ViT built offline with random weights, ResNet- and
MobileNet-style CNNs, a DLRM-style recommender, an MLP block and an EmbeddingBag, in eval
mode under no_grad through torch.compile(backend="furcate") with default options: eager's
output, and every ATen op compiled (``furcate.stats()["ops_eager"] == {}``)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from tests.frontend.torch_check import assert_all_compiled, fresh_dynamo  # noqa: E402,F401  (autouse)
from tests.tolerance import assert_close  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _models():
    name = "furcate_bench_models"  # the name ``benchmarks`` is taken by xdsl's wheel
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "benchmarks", "models.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # Dynamo looks modules up by name while it traces
        spec.loader.exec_module(mod)
    return sys.modules[name]


M = _models()

# ops the C backend cannot put in a kernel yet, so they run on numpy inside the compiled program
# (stats()["backend_fallbacks"]); every other kind must have none
BACKEND_GAPS: dict[str, set[str]] = {}


def _fallback_ops(stats) -> set[str]:
    return {s.split("furcate.", 1)[1].split(" ", 1)[0] for s in stats["backend_fallbacks"]}


@pytest.mark.parametrize("kind", list(M.MODELS))
@pytest.mark.parametrize("batch", [1, 2])
def test_real_model_matches_eager_and_compiles_every_op(kind, batch):
    if kind in M.HF_KINDS:
        pytest.importorskip("transformers", reason="Hugging Face models need transformers (the bench extra)")
    model, inputs = M.MODELS[kind]("tiny", batch)
    with torch.no_grad():
        expected = model(*inputs)
        actual = torch.compile(model, backend="furcate")(*inputs)
    assert_close(actual, expected, accumulated=True, msg=kind)
    st = assert_all_compiled()  # ops_eager == {}
    assert _fallback_ops(st) <= BACKEND_GAPS.get(kind, set()), st["backend_fallbacks"]


def test_models_have_the_sizes_the_suite_promises():
    """small ~1-5M and medium ~20-50M parameters for the transformers (counted, not run)."""
    pytest.importorskip("transformers")
    for kind in ("gpt2", "llama"):
        small, _ = M.MODELS[kind]("small", 1)
        assert 0.5e6 <= M.params(small) <= 5e6, (kind, M.params(small))


def test_jax_twin_of_the_mlp_block_matches_torch():
    jax = pytest.importorskip("jax")
    model, (x,) = M.MODELS["mlp_block"]("tiny", 1)
    with torch.no_grad():
        expected = model(x).numpy()
    f = M.JAX_TWINS["mlp_block"](model)
    got = furcate.jit(f)(jax.numpy.asarray(x.numpy()))
    assert_close(got, expected, accumulated=True)
