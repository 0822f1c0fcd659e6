"""Every furcate op round-trips through IR text: print -> parse -> print is identical,
the parsed program verifies, and GraphBuilder builds the very same program.

``CASES`` holds one small valid program per op of ``furcate.ir.dialect.ALL_OPS``,
written in the printer's canonical form; adding an op without a case fails
``test_every_op_has_a_case``.
"""

from __future__ import annotations

import numpy as np
import pytest

from furcate.ir import dialect as d
from furcate.ir.builder import GraphBuilder, spec
from furcate.ir.program import parse_program


def program(args: list[str], body: list[str], results: list[tuple[str, str]]) -> str:
    """Canonical IR text of ``func.func @main`` taking ``args`` (types) and returning
    ``results`` ((ssa name, type) pairs); ``body`` holds the op lines."""
    sig = ", ".join(f"%{i}: {t}" for i, t in enumerate(args))
    types = [t for _, t in results]
    out = types[0] if len(types) == 1 else f"({', '.join(types)})"
    lines = ["builtin.module {", f"  func.func @main({sig}) -> {out} {{"]
    lines += [f"    {line}" for line in body]
    lines.append(f"    func.return {', '.join(v for v, _ in results)} : {', '.join(types)}")
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def unary_case(name: str, dtype: str, result_dtype: str | None = None) -> str:
    t, r = f"tensor<2x3x{dtype}>", f"tensor<2x3x{result_dtype or dtype}>"
    return program([t], [f"%1 = furcate.{name} %0 : ({t}) -> {r}"], [("%1", r)])


def binary_case(name: str, dtype: str) -> str:
    t = f"tensor<4x{dtype}>"
    return program([t, t], [f"%2 = furcate.{name} %0, %1 : ({t}, {t}) -> {t}"], [("%2", t)])


def one_op(args: list[str], op: str, result: str) -> str:
    """A program whose body is one op ``%N = furcate....`` returning its result of type ``result``."""
    n = len(args)
    return program(args, [f"%{n} = {op}"], [(f"%{n}", result)])


CASES: dict[str, str] = {}
for _op in d.UNARY_OPS:
    _name = _op.name.split(".", 1)[1]
    if _op is d.IsFiniteOp:
        CASES[_name] = unary_case(_name, "f32", "i1")
    elif _op.DTYPES == "int_or_bool":
        CASES[_name] = unary_case(_name, "i1")
    elif _op.DTYPES == "numeric":
        CASES[_name] = unary_case(_name, "i8")
    else:
        CASES[_name] = unary_case(_name, "bf16" if _name in ("exp", "tanh") else "f32")
for _op in d.BINARY_OPS:
    _name = _op.name.split(".", 1)[1]
    CASES[_name] = binary_case(_name, {"int_or_bool": "i1", "float": "f64"}.get(_op.DTYPES, "f32"))
CASES["div"] = binary_case("div", "i32")  # integer division is its own semantics
CASES["and"] = binary_case("and", "i64")

F23 = "tensor<2x3xf32>"
CASES.update(
    {
        "compare": one_op(
            [F23, F23],
            f'furcate.compare %0, %1 {{comparison_direction = "LT"}} : ({F23}, {F23}) -> tensor<2x3xi1>',
            "tensor<2x3xi1>",
        ),
        "select": one_op(
            ["tensor<2x3xi1>", F23, F23], f"furcate.select %0, %1, %2 : (tensor<2x3xi1>, {F23}, {F23}) -> {F23}", F23
        ),
        "clamp": one_op(
            ["tensor<4xi32>"] * 3,
            "furcate.clamp %0, %1, %2 : (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>",
            "tensor<4xi32>",
        ),
        "convert": one_op([F23], f"furcate.convert %0 : ({F23}) -> tensor<2x3xbf16>", "tensor<2x3xbf16>"),
        "constant": one_op(
            [], "furcate.constant dense<[[1.0, -inf, nan], [-0.0, 1.0e-45, 0x7FC00001]]> : tensor<2x3xf32>", F23
        ),
        "constant_ref": one_op([], 'furcate.constant_ref {ref = "w"} : () -> tensor<4x5xf32>', "tensor<4x5xf32>"),
        "iota": one_op([], "furcate.iota {iota_dimension = 1 : i64} : () -> tensor<2x3xi32>", "tensor<2x3xi32>"),
        "broadcast_in_dim": one_op(
            ["tensor<3xf32>"],
            "furcate.broadcast_in_dim %0 {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : "
            f"(tensor<3xf32>) -> {F23}",
            F23,
        ),
        "reshape": one_op(
            [F23], f"furcate.reshape %0 {{shape = array<i64: 3, 1, 2>}} : ({F23}) -> tensor<3x1x2xf32>", "tensor<3x1x2xf32>"
        ),
        "transpose": one_op(
            [F23], f"furcate.transpose %0 {{permutation = array<i64: 1, 0>}} : ({F23}) -> tensor<3x2xf32>", "tensor<3x2xf32>"
        ),
        "slice": one_op(
            [F23],
            "furcate.slice %0 {limit_indices = array<i64: 2, 3>, start_indices = array<i64: 1, 0>, "
            f"strides = array<i64: 1, 2>}} : ({F23}) -> tensor<1x2xf32>",
            "tensor<1x2xf32>",
        ),
        "concatenate": one_op(
            [F23, "tensor<1x3xf32>"],
            f"furcate.concatenate %0, %1 {{dimension = 0 : i64}} : ({F23}, tensor<1x3xf32>) -> tensor<3x3xf32>",
            "tensor<3x3xf32>",
        ),
        "pad": one_op(
            [F23, "tensor<f32>"],
            "furcate.pad %0, %1 {edge_padding_high = array<i64: 0, 2>, edge_padding_low = array<i64: 1, -1>, "
            f"interior_padding = array<i64: 1, 0>}} : ({F23}, tensor<f32>) -> tensor<4x4xf32>",
            "tensor<4x4xf32>",
        ),
        "reduce": one_op(
            [F23],
            f'furcate.reduce %0 {{dimensions = array<i64: 1>, kind = "max"}} : ({F23}) -> tensor<2xf32>',
            "tensor<2xf32>",
        ),
        "argmax": one_op(
            [F23],
            f'furcate.argmax %0 {{dimension = 1 : i64, index_dtype = "i64"}} : ({F23}) -> tensor<2xi64>',
            "tensor<2xi64>",
        ),
        "argmin": one_op(
            ["tensor<2x3xi8>"],
            'furcate.argmin %0 {dimension = 0 : i64, index_dtype = "i32"} : (tensor<2x3xi8>) -> tensor<3xi32>',
            "tensor<3xi32>",
        ),
        "dot_general": one_op(
            ["tensor<2x3x4xf32>", "tensor<2x4x5xf32>"],
            "furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64: 0>, "
            "lhs_contracting_dimensions = array<i64: 2>, precision = \"tf32\", "
            "rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : "
            "(tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>",
            "tensor<2x3x5xf32>",
        ),
        "gather": one_op(
            ["tensor<10x4xf32>", "tensor<2x3xi32>"],
            "furcate.gather %0, %1 {axis = 0 : i64} : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>",
            "tensor<2x3x4xf32>",
        ),
        "gather_along": one_op(
            ["tensor<3x4xf32>", "tensor<3x2xi64>"],
            "furcate.gather_along %0, %1 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>",
            "tensor<3x2xf32>",
        ),
        "scatter_add": one_op(
            ["tensor<10x4xf32>", "tensor<3xi32>", "tensor<3x4xf32>"],
            "furcate.scatter_add %0, %1, %2 {axis = 0 : i64} : "
            "(tensor<10x4xf32>, tensor<3xi32>, tensor<3x4xf32>) -> tensor<10x4xf32>",
            "tensor<10x4xf32>",
        ),
        "scatter_add_along": one_op(
            ["tensor<3x4xf32>", "tensor<3x2xi64>", "tensor<3x2xf32>"],
            "furcate.scatter_add_along %0, %1, %2 {axis = 1 : i64} : "
            "(tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>",
            "tensor<3x4xf32>",
        ),
        "convolution": one_op(
            ["tensor<1x4x5x5xf32>", "tensor<6x2x3x3xf32>"],
            "furcate.convolution %0, %1 {feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, "
            "padding = array<i64: 1, 1, 0, 0>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 2>} : "
            "(tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x5x2xf32>",
            "tensor<1x6x5x2xf32>",
        ),
        "reduce_window": one_op(
            ["tensor<1x1x4x4xf32>"],
            'furcate.reduce_window %0 {kind = "max", padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, '
            "window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, "
            "window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>",
            "tensor<1x1x2x2xf32>",
        ),
        "cumulative": one_op(
            [F23],
            f'furcate.cumulative %0 {{dimension = 1 : i64, kind = "sum", reverse = true}} : ({F23}) -> {F23}',
            F23,
        ),
        "transfer": one_op(
            [F23], f'furcate.transfer %0 {{dst = "gpu:0", src = "cpu"}} : ({F23}) -> {F23}', F23
        ),
    }
)

# fusion (its own syntax: kind, device, operands, a region isolated from above) ending in
# furcate.yield
FUSION = """builtin.module {
  func.func @main(%0: tensor<4xf32>, %1: tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
    %2, %3 = furcate.fusion "reduction" on "cpu" (%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
    ^bb0(%4: tensor<4xf32>, %5: tensor<4xf32>):
      %6 = furcate.mul %4, %5 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %7 = furcate.reduce %6 {dimensions = array<i64: 0>, kind = "sum"} : (tensor<4xf32>) -> tensor<f32>
      furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>
    }
    func.return %2, %3 : tensor<4xf32>, tensor<f32>
  }
}
"""
CASES["fusion"] = FUSION
CASES["yield"] = FUSION

CONSTANTS = {"w": np.arange(20, dtype=np.float32).reshape(4, 5)}
OP_NAMES = sorted(op.name.split(".", 1)[1] for op in d.ALL_OPS)


def test_every_op_has_a_case():
    missing = sorted(set(OP_NAMES) - set(CASES))
    assert not missing, f"ops without a round-trip case in tests/ir/test_roundtrip.py: {missing}"
    for name, text in CASES.items():
        assert f"furcate.{name} " in text or f'"furcate.{name}"' in text, name


@pytest.mark.parametrize("name", OP_NAMES)
def test_print_parse_print(name):
    text = CASES[name]
    prog = parse_program(text, CONSTANTS)  # parse_program verifies
    printed = prog.text()
    assert printed == text, f"furcate.{name} is not printed in canonical form"
    again = parse_program(printed, CONSTANTS)
    again.verify()
    assert again.text() == printed
    assert f"furcate.{name}" in {op.name for op in again.module.walk()}


def _rebuild(prog) -> str:
    """Rebuild ``prog`` op by op with GraphBuilder (fusions excepted) and return its text."""
    b = GraphBuilder()
    values = {arg: b.arg(s) for arg, s in zip(prog.func.body.block.args, prog.input_specs)}
    for op in prog.func.body.block.ops:
        if op.name == "func.return":
            return b.finish([values[v] for v in op.operands]).text()
        short = op.name.split(".", 1)[1]
        operands = [values[v] for v in op.operands]
        if isinstance(op, d.ConstantOp):
            new = b.constant(op.numpy())
        elif isinstance(op, d.ConstantRefOp):  # large: held by the program, not printed
            new = b.constant(CONSTANTS[op.ref.data], name=op.ref.data)
        elif isinstance(op, d.ConvertOp):
            new = b.op(short, *operands, dtype=spec(op.result).dtype)
        elif isinstance(op, d.IotaOp):
            new = b.op(short, spec=spec(op.result), **op.attrs())
        else:
            new = b.op(short, *operands, **op.attrs())
        values[op.results[0]] = new
    raise AssertionError("no func.return")


@pytest.mark.parametrize("name", [n for n in OP_NAMES if n not in ("fusion", "yield")])
def test_graph_builder_builds_the_same_program(name):
    prog = parse_program(CASES[name], CONSTANTS)
    assert _rebuild(prog) == CASES[name]


def test_builder_program_roundtrips():
    """A mixed program built with GraphBuilder (incl. a held constant) round-trips."""
    from furcate.ir.types import TensorSpec

    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 8), "f32"), name="x")
    w = b.constant(np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4), name="weight")
    y = b.op(
        "dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
        lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
    )
    m = b.op("reduce", y, kind="max", dimensions=[1])
    mb = b.op("broadcast_in_dim", m, broadcast_dimensions=[0], shape=[4, 4])
    e = b.op("exp", b.op("sub", y, mb))
    z = b.full(-np.inf, TensorSpec((4, 4), "f32"))
    out = b.op("select", b.op("compare", e, e, comparison_direction="NE"), z, e)
    prog = b.finish([out, b.convert(out, "f16")])
    text = prog.text()
    assert "furcate.constant_ref" in text and "weight" in text
    assert "0.0322" not in text  # the weight's data is not printed
    again = parse_program(text, prog.constants)
    assert again.text() == text
    assert again.input_specs == [TensorSpec((4, 8), "f32")]
    assert again.output_specs == [TensorSpec((4, 4), "f32"), TensorSpec((4, 4), "f16")]


# a fusion with no operands (iota inside), discardable attributes on both ops
FUSION_NO_OPERANDS = """builtin.module {
  func.func @main() -> tensor<4xi32> {
    %0 = furcate.fusion "pointwise" on "default" () attributes {note = "x"} : () -> tensor<4xi32> {
      %1 = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<4xi32>
      %2 = furcate.add %1, %1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
      furcate.yield %2 attributes {tag = 1 : i64} : tensor<4xi32>
    }
    func.return %0 : tensor<4xi32>
  }
}
"""


def test_fusion_edge_cases_roundtrip():
    prog = parse_program(FUSION_NO_OPERANDS)
    assert prog.text() == FUSION_NO_OPERANDS
    (fusion,) = [op for op in prog.func.body.block.ops if isinstance(op, d.FusionOp)]
    assert (fusion.kind.data, fusion.device.data, len(fusion.inputs)) == ("pointwise", "default", 0)
    assert fusion.attributes["note"].data == "x"
    assert isinstance(fusion.body.block.last_op, d.YieldOp)


def test_fusion_generic_form_parses_to_the_custom_form():
    """xDSL's generic form is still accepted and is printed in furcate's own syntax."""
    generic = FUSION.replace(
        'furcate.fusion "reduction" on "cpu" (%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> '
        "(tensor<4xf32>, tensor<f32>) {",
        '"furcate.fusion"(%0, %1) <{kind = "reduction", device = "cpu"}> ({',
    ).replace(
        "    }\n    func.return",
        "    }) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>)\n    func.return",
    )
    assert generic != FUSION and '"furcate.fusion"' in generic
    assert parse_program(generic).text() == FUSION


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('"reduction" on "cpu"', '"reduction" "cpu"', "Expected 'on' after the fusion kind"),
        ('"reduction" on', "reduction on", "the fusion kind"),
        ("furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>", "furcate.yield %6, %7",
         "':' after the values of furcate.yield"),
        ("furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>", "furcate.yield %6, %7 : tensor<4xf32>",
         "expected 1 operand types but had 2"),
    ],
    ids=["no-on", "kind-not-a-string", "yield-no-types", "yield-too-few-types"],
)
def test_fusion_syntax_errors(old, new, message):
    from furcate.ir.program import IRError

    text = FUSION.replace(old, new)
    assert text != FUSION
    with pytest.raises(IRError, match=message):
        parse_program(text)
