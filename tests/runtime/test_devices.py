"""The device registry: known parts, simulated devices, links, measurement caching."""

from __future__ import annotations

import subprocess
import sys

import pytest

from furcate.runtime import devices as D


def test_known_parts_have_every_number():
    for name in ("h100", "h200", "a100", "tpu-v4", "tpu-v5e"):
        s = D.known_part(name)
        assert s.flops("bf16") > s.flops("f32") > 0
        assert s.mem_bandwidth > 1e11 and s.memory >= 16e9 and s.launch_overhead > 0
        assert s.host_link.bandwidth < s.mem_bandwidth
    assert D.known_part("H100") is D.known_part("h100")
    assert D.known_part("v5e").part == "tpu-v5e"
    with pytest.raises(ValueError, match="unknown device part 'b200'.*h100"):
        D.known_part("b200")


def test_simulated_device_is_costed_as_the_part_and_runs_on_host():
    dev = D.simulated("h100", memory=1e9)
    assert dev.name == "sim:h100" and dev.simulated and dev.runs_on == "cpu"
    assert dev.spec.memory == 1e9 and dev.spec.flops("f32") == D.known_part("h100").flops("f32")
    assert dev.targets == ("numpy",)
    with pytest.raises(ValueError, match="unknown spec field"):
        D.simulated("h100", colour="red")


def test_links():
    cpu = D.Device("cpu", D.KNOWN_PARTS["host"], ("numpy",))
    xla = D.Device("xla:cpu", D.KNOWN_PARTS["host"], ("xla",), memory_domain="host")
    gpu = D.simulated("h100")
    tpu = D.simulated("tpu-v4")
    m = D.Machine((cpu, xla, gpu, tpu))
    assert m.link("cpu", "cpu").time(1 << 20) == 0
    assert m.link("cpu", "xla:cpu") == D.HOST_COPY
    assert m.link("cpu", "sim:h100") == gpu.spec.host_link
    via_host = m.link("sim:h100", "sim:tpu-v4")  # through the host: both hops
    assert via_host.latency == pytest.approx(gpu.spec.host_link.latency + tpu.spec.host_link.latency)
    assert via_host.bandwidth == min(gpu.spec.host_link.bandwidth, tpu.spec.host_link.bandwidth)
    assert m.host.name == "cpu"
    with pytest.raises(ValueError, match="unique"):
        D.Machine((cpu, cpu))


def test_resolve_names_and_errors():
    base = D.Machine((D.Device("cpu", D.KNOWN_PARTS["host"], ("numpy",)),))
    m = D.resolve("cpu, sim:a100", base=base)
    assert m.names == ["cpu", "sim:a100"]
    with pytest.raises(ValueError, match="no device 'cuda:3' here"):
        D.resolve(["cuda:3"], base=base)


def test_fingerprint_changes_with_specs():
    a = D.Machine((D.simulated("h100"),))
    b = D.Machine((D.simulated("h100", mem_bandwidth=1e12),))
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == D.Machine((D.simulated("h100"),)).fingerprint()


def test_measurement_runs_once_and_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    calls = []

    def fake(name):
        calls.append(name)
        return {"flops": {"f32": 2.5e11}, "mem_bandwidth": 7e10, "launch_overhead": 4e-6}

    monkeypatch.setitem(D._MEASURE, "fakedev", fake)
    monkeypatch.setattr(D, "_measured", {})
    base = D.KNOWN_PARTS["host"]
    s = D.measured_spec("fakedev:0", base)
    assert s.flops("f32") == 2.5e11 and s.mem_bandwidth == 7e10 and s.source == "measured"
    assert s.flops("f64") == base.flops("f64")  # unmeasured numbers keep the default
    D._measured.clear()
    assert D.measured_spec("fakedev:0", base) == s  # from disk, not measured again
    assert calls == ["fakedev:0"]


def test_implausible_measurements_keep_the_defaults_with_a_warning(tmp_path, monkeypatch, caplog):
    """A disturbed run (the host measured at 7 GFLOP/s, f32 below f64, a zero bandwidth) must
    not become the spec: each bad number is dropped, with a warning naming it."""
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(D._MEASURE, "loaded", lambda name: {
        "flops": {"f32": 7e9, "f64": 40e9}, "mem_bandwidth": 0.0, "launch_overhead": 5e-6})
    monkeypatch.setattr(D, "_measured", {})
    base = D.KNOWN_PARTS["host"]
    with caplog.at_level("WARNING", logger="furcate.placement"):
        s = D.measured_spec("loaded", base)
    assert s.flops("f32") == base.flops("f32") and s.mem_bandwidth == base.mem_bandwidth
    assert s.flops("f64") == 40e9 and s.launch_overhead == 5e-6  # the plausible ones are kept
    assert "flops = 7e+09 is implausible" in caplog.text and "mem_bandwidth = 0 is implausible" in caplog.text
    checked = D.sanity_check("x", base, {"flops": {"f32": 30e9, "f64": 40e9}})
    assert checked["flops"] == {"f64": 40e9}  # f32 slower than f64: the f32 run was disturbed


def test_host_default_scales_with_cores(monkeypatch):
    monkeypatch.setattr(D.os, "cpu_count", lambda: 16)
    assert D.host_base().flops("f32") == 8 * D.KNOWN_PARTS["host"].flops("f32")


def test_failed_measurement_keeps_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))

    def broken(name):
        raise RuntimeError("no timer")

    monkeypatch.setitem(D._MEASURE, "brokendev", broken)
    monkeypatch.setattr(D, "_measured", {})
    assert D.measured_spec("brokendev", D.KNOWN_PARTS["host"]) is D.KNOWN_PARTS["host"]


def test_import_furcate_devices_imports_no_framework():
    code = ("import sys, furcate; furcate.devices.simulated('h200'); "
            "print('jax' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_this_machine_has_a_host_cpu():
    import furcate

    devs = furcate.devices.devices()
    assert devs[0].name == "cpu" and devs[0].targets[0] in ("c", "numpy")
    assert all(d.spec.mem_bandwidth > 0 for d in devs)
