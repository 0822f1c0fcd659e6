"""The op table (``furcate/ir/op_table.py``) is what every layer reads: each entry has its
IR op, reference, scalar rendering on C and Triton, a StableHLO rule and its framework
converters, so the layers cannot drift apart; and an op added to the table alone
(``furcate.hypot``) works from torch.compile."""

from __future__ import annotations

import pytest

from furcate.ir import dialect as d
from furcate.ir import op_table, reference
from furcate.ir.ops_elementwise import TABLE_OPS


@pytest.mark.parametrize("e", op_table.TABLE, ids=lambda e: e.name)
def test_every_entry_reaches_every_layer(e):
    from furcate.backends.c import C_OPS, render
    from furcate.backends.kernel import scalar

    assert TABLE_OPS[e.name] in d.ALL_OPS and TABLE_OPS[e.name].name == f"furcate.{e.name}"
    assert e.name in reference.OPS
    assert e.name in scalar.elementwise_ops() and e.name in C_OPS
    if e.dtypes != "int_or_bool":
        assert e.on_float is not None and e.c is not None and e.triton is not None, e.name
        assert render.UNARY_F.get(e.prim, render.BINARY_F.get(e.prim)) == e.c
    assert e.stablehlo, f"{e.name}: no StableHLO lowering"


def test_xla_and_frontends_read_the_table():
    pytest.importorskip("jax")
    pytest.importorskip("torch")
    from furcate.backends.xla._hlo import RULES
    import furcate.backends.xla.rules_elementwise  # noqa: F401  (registers the rules)
    from furcate.frontend import jax_ops, torch_ops

    for e in op_table.TABLE:
        assert e.name in RULES
        for p in e.jax:
            assert p in jax_ops.CONVERTERS, p
        for a in e.aten:
            packet, _, overload = a.partition(".")
            import torch

            assert torch_ops.lookup(getattr(getattr(torch.ops.aten, packet), overload)) is not None, a


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_torch_hypot_compiles_from_the_table_entry_alone(dtype):
    torch = pytest.importorskip("torch")
    import furcate
    from tests.tolerance import assert_close

    torch._dynamo.reset()
    furcate.stats(reset=True)
    dt = getattr(torch, dtype)
    x = torch.tensor([3.0, -0.0, 1e30, float("inf"), float("nan"), -5.0], dtype=torch.float32).to(dt)
    y = torch.tensor([4.0, 2.0, 1e30, float("nan"), 1.0, 12.0], dtype=torch.float32).to(dt)

    def f(a, b):
        return torch.hypot(a, b) * 2

    got = torch.compile(f, backend="furcate")(x, y)
    assert_close(got, f(x, y))
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {} and st["ops_compiled"].get("furcate.hypot", 0) >= 1, st
    torch._dynamo.reset()
