"""Devices: what this machine has, what each device can do, and how fast.

A ``Device`` is a place a kernel runs and a buffer lives: the host CPU
(``"cpu"``, run by the ``c`` and ``numpy`` backends), an XLA device
(``"xla:cpu"``, ``"xla:gpu"``, ``"xla:tpu"``), a CUDA GPU (``"cuda:0"``, run by
``triton``), or a *simulated* device (``"sim:h100"``) that is costed as the
named part but executes on the host — for planning and testing placement on
a machine that lacks the part.

Each device has a ``DeviceSpec``: peak FLOP/s per dtype, memory bandwidth,
memory capacity, kernel launch overhead, and its link to the host. Links
between any two devices come from ``link(a, b)``: free within a device, a
memory copy between devices that share host memory, otherwise through the
host (or a direct ``Machine.peer_links`` entry, e.g. NVLink).

Specs come from three places, in this order: a spec the caller gives; a
measurement cached on disk (``$FURCATE_CACHE_DIR/devices/``), made on first
use by a microbenchmark a backend registered with ``register_measure`` (the
runtime never imports a backend); built-in datasheet defaults for known parts
(``KNOWN_PARTS``: H100, H200, A100, TPU v4, TPU v5e, host CPU).

This module imports neither jax nor torch at import time: ``devices()``
detects XLA platforms and CUDA GPUs lazily, and only through libraries that
are installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from furcate.diagnostics import log

GB = 1e9
GiB = float(1 << 30)


@dataclass(frozen=True)
class LinkSpec:
    """A link between two devices: ``time(bytes) = latency + bytes / bandwidth``."""

    bandwidth: float  # bytes/s
    latency: float  # seconds per transfer

    def time(self, nbytes: int) -> float:
        if nbytes <= 0:
            return 0.0
        return self.latency + nbytes / self.bandwidth


FREE_LINK = LinkSpec(float("inf"), 0.0)


@dataclass(frozen=True)
class DeviceSpec:
    """Performance of one device. ``peak_flops`` maps dtype names (``f32``, ``bf16``...) to
    FLOP/s; a dtype not listed runs at the ``f32`` rate. ``memory`` is the capacity in bytes,
    ``launch_overhead`` the fixed cost of one kernel launch in seconds, ``host_link`` the link
    to host memory (unused by host devices)."""

    part: str
    kind: str  # cpu | gpu | tpu
    peak_flops: tuple[tuple[str, float], ...]
    mem_bandwidth: float
    memory: float
    launch_overhead: float
    host_link: LinkSpec = FREE_LINK
    source: str = "default"  # default | measured | given

    def flops(self, dtype: str) -> float:
        table = dict(self.peak_flops)
        return table.get(dtype) or table.get("f32") or next(iter(table.values()))

    def fingerprint(self) -> str:
        """A stable text of every number the cost model reads (part of plan cache keys)."""
        return json.dumps(_spec_to_json(self), sort_keys=True)


def make_spec(part: str, kind: str, flops: dict[str, float], mem_bandwidth: float, memory: float,
              launch_overhead: float, host_link: LinkSpec = FREE_LINK, source: str = "given") -> DeviceSpec:
    """A ``DeviceSpec`` from a plain dict of FLOP/s per dtype."""
    if not flops:
        raise ValueError(f"device spec {part!r}: peak_flops needs at least one dtype")
    for what, v in (("mem_bandwidth", mem_bandwidth), ("memory", memory)):
        if not v > 0:
            raise ValueError(f"device spec {part!r}: {what} must be positive, got {v}")
    return DeviceSpec(part, kind, tuple(sorted(flops.items())), float(mem_bandwidth), float(memory),
                      float(launch_overhead), host_link, source)


# Datasheet numbers (dense, no sparsity). PCIe links are what a host copy sustains,
# not the bus's theoretical peak.
_PCIE5 = LinkSpec(25 * GB, 10e-6)
_PCIE4 = LinkSpec(16 * GB, 10e-6)
KNOWN_PARTS: dict[str, DeviceSpec] = {
    "h100": make_spec("h100", "gpu", {"f32": 67e12, "f16": 989e12, "bf16": 989e12, "f64": 67e12},
                      3.35e12, 80 * GB, 5e-6, _PCIE5, "default"),
    "h200": make_spec("h200", "gpu", {"f32": 67e12, "f16": 989e12, "bf16": 989e12, "f64": 67e12},
                      4.8e12, 141 * GB, 5e-6, _PCIE5, "default"),
    "a100": make_spec("a100", "gpu", {"f32": 19.5e12, "f16": 312e12, "bf16": 312e12, "f64": 19.5e12},
                      2.0e12, 80 * GB, 5e-6, _PCIE4, "default"),
    "tpu-v4": make_spec("tpu-v4", "tpu", {"f32": 68e12, "bf16": 275e12, "f16": 275e12},
                        1.2e12, 32 * GB, 10e-6, _PCIE4, "default"),
    "tpu-v5e": make_spec("tpu-v5e", "tpu", {"f32": 49e12, "bf16": 197e12, "f16": 197e12},
                         0.82e12, 16 * GB, 10e-6, _PCIE4, "default"),
    # a modest two-core AVX-512 host, the fallback when nothing was measured
    "host": make_spec("host", "cpu", {"f32": 100e9, "f64": 50e9, "f16": 25e9, "bf16": 25e9},
                      15 * GB, 16 * GB, 3e-6, FREE_LINK, "default"),
}
_ALIASES = {"tpuv4": "tpu-v4", "v4": "tpu-v4", "tpuv5e": "tpu-v5e", "v5e": "tpu-v5e", "cpu": "host"}


def known_part(name: str) -> DeviceSpec:
    key = name.lower().replace("_", "-")
    key = _ALIASES.get(key.replace("-", ""), _ALIASES.get(key, key))
    if key not in KNOWN_PARTS:
        raise ValueError(f"unknown device part {name!r}; known: {', '.join(sorted(KNOWN_PARTS))}")
    return KNOWN_PARTS[key]


@dataclass(frozen=True)
class Device:
    """One device. ``targets`` are the backends that run on it, best first; ``runs_on`` is the
    device that really executes its kernels (itself, or ``"cpu"`` for a simulated device);
    ``memory_domain`` names the memory its buffers live in (``"host"`` for the CPU and for
    XLA's CPU client); ``ops`` restricts the ops it accepts (None: what its targets run)."""

    name: str
    spec: DeviceSpec
    targets: tuple[str, ...]
    runs_on: str = ""
    memory_domain: str = ""
    simulated: bool = False
    ops: frozenset[str] | None = None

    def __post_init__(self):
        if not self.runs_on:
            object.__setattr__(self, "runs_on", self.name)
        if not self.memory_domain:
            object.__setattr__(self, "memory_domain", "host" if self.spec.kind == "cpu" else self.name)

    @property
    def kind(self) -> str:
        return self.spec.kind

    def __str__(self) -> str:
        sim = f", simulated on {self.runs_on}" if self.simulated else ""
        return f"{self.name} ({self.spec.part}, {'/'.join(self.targets)}{sim})"


# host memcpy between two devices that share host memory (e.g. cpu <-> xla:cpu)
HOST_COPY = LinkSpec(10 * GB, 2e-6)


@dataclass(frozen=True)
class Machine:
    """A set of devices and the links between them; ``peer_links`` overrides pairs
    (``((a, b), LinkSpec)``, both directions)."""

    devices: tuple[Device, ...]
    peer_links: tuple[tuple[tuple[str, str], LinkSpec], ...] = ()

    def __post_init__(self):
        names = [d.name for d in self.devices]
        if len(set(names)) != len(names):
            raise ValueError(f"device names must be unique, got {names}")
        if not names:
            raise ValueError("a machine needs at least one device")

    def __getitem__(self, name: str) -> Device:
        for dev in self.devices:
            if dev.name == name:
                return dev
        raise KeyError(f"no device {name!r} in this machine; devices: {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.devices]

    @property
    def host(self) -> Device:
        """Where program inputs arrive and outputs are returned: the first CPU device."""
        for dev in self.devices:
            if dev.kind == "cpu" and not dev.name.startswith("xla:"):
                return dev
        return self.devices[0]

    def link(self, a: str, b: str) -> LinkSpec:
        """The link from device ``a`` to device ``b``."""
        if a == b:
            return FREE_LINK
        for (x, y), spec in self.peer_links:
            if {x, y} == {a, b}:
                return spec
        da, db = self[a], self[b]
        if da.memory_domain == db.memory_domain:
            return HOST_COPY
        hops = [d.spec.host_link for d in (da, db) if d.memory_domain != "host"]
        return LinkSpec(min(h.bandwidth for h in hops), sum(h.latency for h in hops))

    def fingerprint(self) -> str:
        """Hash of every device spec and link: plans made for different specs never share a key."""
        parts = [f"{d.name}|{d.spec.fingerprint()}|{d.targets}|{d.memory_domain}|{sorted(d.ops or [])}"
                 for d in self.devices]
        parts += [f"{x}-{y}:{s}" for (x, y), s in self.peer_links]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------
# measurement hooks and the on-disk spec cache

# device kind prefix ("cpu", "xla", "cuda") -> callable(device_name) -> dict of measured numbers
_MEASURE: dict[str, Callable[[str], dict]] = {}
# device prefix -> callable(array, device_name) -> the array as that device's buffer
_TO_DEVICE: dict[str, Callable] = {}
_lock = threading.Lock()
_measured: dict[str, DeviceSpec] = {}


def register_measure(prefix: str, fn: Callable[[str], dict]) -> None:
    """A backend's microbenchmark for devices named ``prefix`` or ``prefix:*``. It returns a dict
    with any of ``flops`` ({dtype: FLOP/s}), ``mem_bandwidth``, ``launch_overhead``,
    ``host_link_bandwidth``, ``host_link_latency`` (SI units); missing numbers keep the default."""
    _MEASURE[prefix] = fn


def register_transfer(prefix: str, fn: Callable) -> None:
    """How to make an array a buffer of devices named ``prefix:*`` (e.g. ``jax.device_put``)."""
    _TO_DEVICE[prefix] = fn


def _prefix(name: str) -> str:
    return name.split(":", 1)[0]


def to_device(array, device: Device):
    """``array`` as a buffer on ``device`` (host devices and simulated ones: a NumPy array)."""
    fn = _TO_DEVICE.get(_prefix(device.runs_on))
    if fn is None:
        import numpy as np

        return np.asarray(array)
    return fn(array, device.runs_on)


def _spec_to_json(spec: DeviceSpec) -> dict:
    return {
        "part": spec.part, "kind": spec.kind, "flops": dict(spec.peak_flops),
        "mem_bandwidth": spec.mem_bandwidth, "memory": spec.memory,
        "launch_overhead": spec.launch_overhead,
        "host_link": [spec.host_link.bandwidth, spec.host_link.latency], "source": spec.source,
    }


# How far a measurement may stray from the default spec it refines before it is called
# implausible (a disturbed run on a loaded machine, a timer fault): (lowest, highest) ratio.
PLAUSIBLE = {"flops": (1 / 8, 8.0), "mem_bandwidth": (1 / 8, 8.0), "launch_overhead": (1 / 30, 30.0),
             "host_link_bandwidth": (1 / 8, 8.0)}


def sanity_check(name: str, base: DeviceSpec, m: dict) -> dict:
    """``m`` without the numbers that are implausible against ``base`` (each logged as a warning,
    so its default is kept): outside ``PLAUSIBLE``'s ratio of the default, not positive, or an
    f32 rate below the f64 rate (a disturbed f32 run)."""
    out = dict(m)
    warn = log("placement").warning

    def ok(what: str, got, default: float) -> bool:
        lo, hi = PLAUSIBLE[what]
        if isinstance(got, (int, float)) and got > 0 and (default in (0.0, float("inf"))
                                                          or lo <= got / default <= hi):
            return True
        warn("measuring %s: %s = %.3g is implausible (default %.3g, plausible %.3g..%.3g); keeping the "
             "default (delete %s to measure again)", name, what, got, default, default * lo, default * hi,
             _cache_file(name))
        return False

    flops = {k: v for k, v in (m.get("flops") or {}).items() if ok("flops", v, base.flops(k))}
    if "f32" in flops and "f64" in flops and flops["f32"] < flops["f64"]:
        warn("measuring %s: f32 rate %.3g below the f64 rate %.3g (a disturbed run); keeping the f32 default",
             name, flops["f32"], flops["f64"])
        del flops["f32"]
    out["flops"] = flops
    for what, default in (("mem_bandwidth", base.mem_bandwidth), ("launch_overhead", base.launch_overhead),
                          ("host_link_bandwidth", base.host_link.bandwidth)):
        if what in out and out[what] is not None and not ok(what, out[what], default):
            del out[what]
    if "host_link_bandwidth" not in out:
        out.pop("host_link_latency", None)
    return out


def _apply_measurement(base: DeviceSpec, m: dict) -> DeviceSpec:
    flops = dict(base.peak_flops)
    flops.update({k: float(v) for k, v in (m.get("flops") or {}).items() if v and v > 0})
    link = base.host_link
    if m.get("host_link_bandwidth"):
        link = LinkSpec(float(m["host_link_bandwidth"]), float(m.get("host_link_latency", link.latency)))
    return replace(
        base, peak_flops=tuple(sorted(flops.items())),
        mem_bandwidth=float(m.get("mem_bandwidth") or base.mem_bandwidth),
        launch_overhead=float(m.get("launch_overhead", base.launch_overhead)),
        memory=float(m.get("memory") or base.memory), host_link=link, source="measured",
    )


MEASURE_VERSION = 2  # part of the cache key: measurements by older microbenchmarks are not reused


def _cache_file(name: str):
    from furcate.runtime.cache import cache_subdir, host_cpu_id

    host = f"{os.uname().nodename}-{os.cpu_count()}-{host_cpu_id()}"
    key = hashlib.sha256(f"{host}|{name}|{sys.version_info[:2]}|v{MEASURE_VERSION}".encode()).hexdigest()[:16]
    return cache_subdir("devices") / f"{name.replace(':', '_')}-{key}.json"  # a checked directory of ours


def measured_spec(name: str, base: DeviceSpec) -> DeviceSpec:
    """``base`` updated by the registered microbenchmark of ``name``: run once, then read from
    the disk cache. Numbers implausible against ``base`` are dropped with a warning
    (``sanity_check``). Without a hook, or when it fails, ``base`` is returned unchanged."""
    with _lock:
        if name in _measured:
            return _measured[name]
    from furcate.runtime.cache import read_cached_file, write_atomic

    path = _cache_file(name)
    m = None
    try:
        m = json.loads(read_cached_file(path) or b"")  # missing, unreadable or not ours: measure again
        if not isinstance(m, dict):
            raise ValueError("not a JSON object")
    except ValueError:
        m = None
        fn = _MEASURE.get(_prefix(name))
        if fn is not None:
            try:
                m = fn(name)
            except Exception as e:  # noqa: BLE001 - a failed benchmark leaves the defaults
                log("placement").warning("measuring %s failed (%s); using default specs", name, e)
            if m:
                try:
                    write_atomic(path, json.dumps(m).encode())
                except OSError:
                    pass
    spec = _apply_measurement(base, sanity_check(name, base, m)) if m else base
    with _lock:
        _measured[name] = spec
    return spec


# --------------------------------------------------------------------------
# discovery


def _host_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return KNOWN_PARTS["host"].memory


def host_base() -> DeviceSpec:
    """The default spec of this host: the generic two-core ``host`` part with its FLOP/s scaled
    to this machine's core count and its memory set to the physical memory."""
    default = KNOWN_PARTS["host"]
    scale = max(1, os.cpu_count() or 2) / 2
    return replace(default, memory=_host_memory(),
                   peak_flops=tuple((k, v * scale) for k, v in default.peak_flops))


def host_device(measure: bool = False) -> Device:
    """The host CPU, run by the ``c`` and ``numpy`` backends."""
    base = host_base()
    spec = measured_spec("cpu", base) if measure else base
    return Device("cpu", spec, ("c", "numpy"))


def _xla_platforms() -> list[tuple[str, str]]:
    """(platform, device kind string) of each XLA platform JAX sees; imports jax."""
    if importlib.util.find_spec("jax") is None:
        return []
    import jax

    found = []
    for platform in ("cpu", "gpu", "tpu"):
        try:
            devs = jax.devices(platform)
        except RuntimeError:
            continue
        if devs:
            found.append((platform, str(getattr(devs[0], "device_kind", platform))))
    return found


def _part_from_kind(kind_text: str, default: str) -> DeviceSpec:
    text = kind_text.lower().replace(" ", "")
    for key in ("h200", "h100", "a100", "v5e", "v5lite", "v4"):
        if key in text:
            return known_part({"v5lite": "tpu-v5e"}.get(key, key))
    return known_part(default)


def _cuda_devices() -> list[tuple[int, str, float]]:
    """(index, name, memory bytes) of each CUDA GPU, through torch when it is installed."""
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is None:
        return []
    import torch

    if not torch.cuda.is_available():
        return []
    out = []
    for i in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(i)
        out.append((i, props.name, float(props.total_memory)))
    return out


_machine: Machine | None = None


def machine(refresh: bool = False, measure: bool = True) -> Machine:
    """The devices of this machine (detected once; ``refresh=True`` detects again). With
    ``measure`` each device's spec is refined by its registered microbenchmark (cached)."""
    global _machine
    if _machine is not None and not refresh:
        return _machine
    devs = [host_device(measure)]
    for platform, kind_text in _xla_platforms():
        name = f"xla:{platform}"
        if platform == "cpu":
            base = replace(devs[0].spec, part="host (xla)")
            dev = Device(name, measured_spec(name, base) if measure else base, ("xla",), memory_domain="host")
        else:
            base = _part_from_kind(kind_text, "h100" if platform == "gpu" else "tpu-v4")
            dev = Device(name, measured_spec(name, base) if measure else base, ("xla",))
        devs.append(dev)
    for index, gpu_name, memory in _cuda_devices():
        base = replace(_part_from_kind(gpu_name, "h100"), memory=memory)
        name = f"cuda:{index}"
        devs.append(Device(name, measured_spec(name, base) if measure else base, ("triton",)))
    _machine = Machine(tuple(devs))
    return _machine


def devices() -> list[Device]:
    """The devices this machine has (see ``machine()``)."""
    return list(machine().devices)


def simulated(part: str, name: str | None = None, *, ops: Iterable[str] | None = None,
              runs_on: str = "cpu", **overrides) -> Device:
    """A device costed as the known ``part`` (``"h100"``, ``"tpu-v5e"``...) that executes on
    the host. ``overrides`` replace spec fields (``memory=...``, ``launch_overhead=...``);
    ``ops`` restricts the ops it accepts (default: every op)."""
    spec = known_part(part)
    if overrides:
        unknown = set(overrides) - set(DeviceSpec.__dataclass_fields__)
        if unknown:
            raise ValueError(f"simulated({part!r}): unknown spec field(s) {sorted(unknown)}")
        spec = replace(spec, **overrides)
    return Device(name or f"sim:{spec.part}", spec, ("numpy",), runs_on=runs_on,
                  memory_domain="host" if spec.kind == "cpu" else (name or f"sim:{spec.part}"),
                  simulated=True, ops=frozenset(ops) if ops is not None else None)


def resolve(spec, *, base: Machine | None = None) -> Machine:
    """A ``Machine`` from what a user wrote: a Machine, a list of Devices and/or names
    (``"cpu"``, ``"xla:cpu"``, ``"sim:h100"``), or a comma-separated string of names."""
    if isinstance(spec, Machine):
        return spec
    if isinstance(spec, str):
        spec = [s.strip() for s in spec.split(",") if s.strip()]
    out: list[Device] = []
    for item in spec:
        if isinstance(item, Device):
            out.append(item)
        elif isinstance(item, str) and item.startswith("sim:"):
            out.append(simulated(item[4:]))
        elif isinstance(item, str):
            here = base or machine()
            try:
                out.append(here[item])
            except KeyError:
                raise ValueError(f"devices: no device {item!r} here; devices: "
                                 f"{', '.join(here.names)}, or sim:PART ({', '.join(KNOWN_PARTS)})") from None
        else:
            raise TypeError(f"devices: expected a Device or a device name, got {type(item).__name__}")
    return Machine(tuple(out))


__all__ = [
    "Device", "DeviceSpec", "LinkSpec", "Machine", "KNOWN_PARTS", "known_part", "make_spec",
    "machine", "devices", "simulated", "resolve", "register_measure", "register_transfer",
    "to_device", "measured_spec", "host_device", "host_base", "sanity_check", "PLAUSIBLE",
]
