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
        return {"flops": {"f32": 1.5e12}, "mem_bandwidth": 7e10, "launch_overhead": 4e-6}

    monkeypatch.setitem(D._MEASURE, "fakedev", fake)
    monkeypatch.setattr(D, "_measured", {})
    base = D.KNOWN_PARTS["host"]
    s = D.measured_spec("fakedev:0", base)
    assert s.flops("f32") == 1.5e12 and s.mem_bandwidth == 7e10 and s.source == "measured"
    assert s.flops("f64") == base.flops("f64")  # unmeasured numbers keep the default
    D._measured.clear()
    assert D.measured_spec("fakedev:0", base) == s  # from disk, not measured again
    assert calls == ["fakedev:0"]


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
