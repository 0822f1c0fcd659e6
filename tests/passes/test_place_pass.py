"""The placement pass (``passes/place_pass.py``) run by name with options, as ``furcate opt
-p 'place{...}'`` does: the same placed IR as the driver's placement, and option errors
that name the bad option."""

from __future__ import annotations

import pytest

from furcate.compiler import placement_pipeline, run_pipeline
from furcate.passes.pipeline import make_pass, resolve
from furcate.runtime import devices as dev_mod
from tests.passes.test_place_exec import recommender


def _placed_by_pass(spec: str) -> str:
    prog = recommender()
    run_pipeline(prog, ["canonicalize", spec])
    return prog.text()


def test_the_pass_places_like_the_driver():
    prog = recommender()
    machine = dev_mod.resolve(["cpu", "sim:h100"])
    placement_pipeline(prog, {"placement": {"gather": "sim:h100"}}, machine, run_pipeline)
    via_pass = _placed_by_pass('place{devices="cpu","sim:h100" pins="gather=sim:h100"}')
    assert via_pass == prog.text()
    assert 'furcate.transfer' in via_pass and '"sim:h100"' in via_pass


def test_options_round_trip_through_the_spec():
    (spec,) = resolve('place{devices=cpu,"sim:h100" kinds=pointwise}')
    p = make_pass(spec)
    assert p.devices == ("cpu", "sim:h100") and p.kinds == ("pointwise",) and p.pins == ()
    assert make_pass(str(p.pipeline_pass_spec())) == p


@pytest.mark.parametrize("spec, words", [
    ("place{device=cpu}", ["place", "device", "devices"]),
    ("place{devices=cpu,sim:h100}", ["does not parse", "quote"]),
])
def test_bad_options_name_what_is_wrong(spec, words):
    with pytest.raises(ValueError) as e:
        make_pass(resolve(spec)[0]) if "does not parse" not in words else resolve(spec)
    for w in words:
        assert w in str(e.value)


def test_a_bad_pin_names_the_pin():
    with pytest.raises(ValueError, match="place: pins: expected KEY=DEVICE .*got 'gather'"):
        _placed_by_pass('place{devices="cpu","sim:h100" pins="gather"}')
