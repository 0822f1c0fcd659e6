"""``furcate.devices``: the devices furcate can place work on.

- ``furcate.devices.devices()`` — this machine's devices (host CPU, XLA
  devices JAX sees, CUDA GPUs torch sees), each with its backends and spec
  (measured by a short microbenchmark on first use, cached on disk);
- ``furcate.devices.simulated("h100")`` — a device costed as a known part
  (``KNOWN_PARTS``: h100, h200, a100, tpu-v4, tpu-v5e, host) that executes on
  the host, for planning and testing placement on a machine without the part;
- ``Device``, ``DeviceSpec``, ``LinkSpec``, ``Machine``, ``make_spec`` — to
  describe a machine by hand (placement tests use fixed specs).

Pass devices to a compile as ``devices=[...]`` (Device objects or names such
as ``"cpu"``, ``"xla:cpu"``, ``"sim:h100"``). Importing this module imports
neither jax nor torch; ``devices()`` does, where they are installed.
"""

from __future__ import annotations

from furcate.runtime.devices import (
    KNOWN_PARTS,
    Device,
    DeviceSpec,
    LinkSpec,
    Machine,
    known_part,
    make_spec,
    resolve,
    simulated,
)


def machine(refresh: bool = False) -> Machine:
    """This machine's devices and links (detected and measured once per process)."""
    import furcate.backends  # noqa: F401  (registers the backends' microbenchmarks)
    from furcate.runtime.devices import machine as _machine

    return _machine(refresh=refresh)


def devices(refresh: bool = False) -> list[Device]:
    """This machine's devices, host CPU first."""
    return list(machine(refresh).devices)


__all__ = ["devices", "machine", "simulated", "resolve", "known_part", "make_spec", "Device", "DeviceSpec",
           "LinkSpec", "Machine", "KNOWN_PARTS"]
