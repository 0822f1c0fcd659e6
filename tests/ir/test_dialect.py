"""``furcate.ir.dialect`` gathers the ops of the ``ops_*`` modules: none is left out of
``ALL_OPS`` (and so of the parser's dialect), and every one is importable from it."""

from __future__ import annotations

import pytest
from xdsl.irdl import IRDLOperation

from furcate.ir import dialect as d
from furcate.ir import ops_elementwise, ops_structure, ops_tensor

MODULES = [ops_elementwise, ops_tensor, ops_structure]


def defined_ops(module) -> dict[str, type]:
    """Op classes (with an op name) bound at the top level of ``module``."""
    return {
        attr: value for attr, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, IRDLOperation)
        and isinstance(getattr(value, "name", None), str) and value.__module__ == module.__name__
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_every_op_is_listed_and_re_exported(module):
    ops = defined_ops(module)
    assert ops, f"{module.__name__} defines no ops"
    for attr, op in ops.items():
        assert any(op is o for o in d.ALL_OPS), f"{op.name} ({module.__name__}.{attr}) missing from ALL_OPS"
        assert getattr(d, attr) is op, f"{attr} is not importable from furcate.ir.dialect"


def test_all_ops_come_from_the_op_modules_once():
    from_modules = [op for m in MODULES for op in defined_ops(m).values()]
    assert sorted(op.name for op in d.ALL_OPS) == sorted(op.name for op in from_modules)
    assert len({op.name for op in d.ALL_OPS}) == len(d.ALL_OPS)
    assert {op.name for op in d.Furcate.operations} == {op.name for op in d.ALL_OPS}


def test_op_subsets():
    assert {op.name for op in d.UNARY_OPS} >= {"furcate.exp", "furcate.not", "furcate.is_finite"}
    assert {op.name for op in d.BINARY_OPS} >= {"furcate.add", "furcate.atan2", "furcate.xor"}
    assert set(d.ELEMENTWISE_OPS) == set(d.UNARY_OPS) | set(d.BINARY_OPS) | {
        d.CompareOp, d.SelectOp, d.ClampOp, d.ConvertOp}
    assert all(getattr(d, name) is not None for name in d.__all__)
