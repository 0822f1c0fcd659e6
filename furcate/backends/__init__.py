"""Backends (numpy — the reference —, c, xla, triton); ``registry.py`` names them and
imports each lazily, so ``import furcate`` stays cheap and a backend whose dependencies
are missing only fails when it is asked for.
"""

from __future__ import annotations

from furcate.backends import device_hooks
from furcate.backends.base import Backend, BackendUnavailable, Capabilities
from furcate.backends.registry import _REGISTRY, _instances, get_backend, register, targets  # noqa: F401

# device microbenchmarks and buffer moves the runtime stores (it cannot import backends)
device_hooks.register()

__all__ = ["Backend", "BackendUnavailable", "Capabilities", "get_backend", "register", "targets"]
