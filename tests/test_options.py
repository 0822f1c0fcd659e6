"""``CompileOptions`` (furcate/options.py): one typed, validated options object, whatever
the way in (torch.compile options, furcate.jit keywords, a compile_program dict)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from furcate.compiler import compile_program
from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec
from furcate.options import CompileOptions

ROOT = Path(__file__).resolve().parents[1]


def _program():
    b = GraphBuilder("opts")
    x = b.arg(TensorSpec((4,), "f32"), "x")
    return b.finish([b.op("tanh", x)])


def test_unknown_option_names_the_close_match():
    with pytest.raises(ValueError, match=r"unknown furcate option\(s\) 'freez' \(did you mean 'freeze'\?\); valid: "):
        CompileOptions.of({"freez": True})


def test_internal_fields_are_not_user_options():
    with pytest.raises(ValueError, match="'captured'"):
        CompileOptions.of({"captured": "x"})
    assert "captured" not in CompileOptions.user_fields()


@pytest.mark.parametrize("key, value", [("freeze", "yes"), ("name", 3), ("name", ""), ("pipeline", 5),
                                        ("pipeline", ["fuse", 2]), ("placement", {"dot": 1}),
                                        ("print_ir_after_all", 2), ("dump_dir", 7), ("target", 4)])
def test_a_value_of_the_wrong_type_names_the_option(key, value):
    with pytest.raises(TypeError, match=f"option '{key}'"):
        CompileOptions.of({key: value})


def test_values_are_normalised_and_frozen():
    o = CompileOptions.of({"pipeline": ["canonicalize", "fuse"], "dump_dir": Path("/tmp/x"), "freeze": 1})
    assert o.pipeline == ("canonicalize", "fuse") and o.dump_dir == "/tmp/x" and o.freeze is True
    with pytest.raises(AttributeError):
        o.name = "other"  # type: ignore[misc]
    assert o.replace(name="g").name == "g" and o.name == "main"
    assert o.as_dict() == {"pipeline": ("canonicalize", "fuse"), "dump_dir": "/tmp/x", "freeze": True}
    assert CompileOptions.of({"name": None}).name == "main"  # None: the default


def test_compile_program_takes_a_dict_or_options_alike():
    x = np.linspace(-2, 2, 4, dtype=np.float32)
    a = compile_program(_program(), "numpy", {"pipeline": "none", "name": "d"})
    b = compile_program(_program(), "numpy", CompileOptions(pipeline="none", name="o"))
    np.testing.assert_array_equal(a(x)[0], b(x)[0])
    assert (a.name, b.name) == ("d", "o")
    with pytest.raises(ValueError, match="did you mean 'pipeline'"):
        compile_program(_program(), "numpy", {"pipline": "none"})


def test_the_torch_docs_list_every_option():
    text = (ROOT / "docs" / "torch.md").read_text()
    table = set(re.findall(r"^\| `(\w+)` \|", text, re.M))
    missing = [f for f in CompileOptions.user_fields() if f not in table]
    assert not missing, f"docs/torch.md's options table lacks {missing}"
    extra = sorted(table - set(CompileOptions.user_fields()))
    assert not extra, f"docs/torch.md documents options that do not exist: {extra}"
