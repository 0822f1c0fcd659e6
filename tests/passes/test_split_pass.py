"""The split pass (``passes/split.py``): a placed program cut into one function per device
run is for reading; the driver refuses it with a reason, and a module of several
functions without ``@main`` is not a program."""

from __future__ import annotations

import pytest

from furcate.compiler import compile_program, run_pipeline
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.ir.program import IRError, Program


def _placed_split() -> Program:
    b = GraphBuilder()
    x = b.arg(TensorSpec((64, 256), "f32"), "x")
    w = b.arg(TensorSpec((256, 256), "f32"), "w")
    g = b.op("dot_general", x, w, lhs_batching_dimensions=[], lhs_contracting_dimensions=[1],
             rhs_batching_dimensions=[], rhs_contracting_dimensions=[0])
    prog = b.finish([b.op("tanh", g)])
    return run_pipeline(prog, ['canonicalize', 'place{devices=cpu,"sim:h100" pins="dot_general=sim:h100","tanh=cpu"}', "split"])


def test_split_makes_parts_called_from_main():
    prog = _placed_split()
    names = [f.sym_name.data for f in prog.module.ops]
    assert names == ["part2_sim_h100", "part4_cpu", "main"], names
    assert prog.func.sym_name.data == "main"
    assert [s.shape for s in prog.input_specs] == [(64, 256), (256, 256)]


def test_compiling_a_split_program_is_refused_with_the_reason():
    with pytest.raises(IRError, match=r"3 functions \(@part2_sim_h100, @part4_cpu, @main\).*before split"):
        compile_program(_placed_split(), "numpy")


def test_several_functions_without_main_are_not_a_program():
    prog = _placed_split()
    prog.func.sym_name = type(prog.func.sym_name)("entry")
    with pytest.raises(IRError, match="one named @main among several; found 3"):
        prog.func
