"""The registry that names the backends: target name -> (module, class), imported lazily,
so ``import furcate`` stays cheap and a backend whose dependencies are missing only fails
when it is asked for."""

from __future__ import annotations

import importlib

from furcate.backends.base import Backend, BackendUnavailable

# target name -> (module, class)
_REGISTRY: dict[str, tuple[str, str]] = {
    "numpy": ("furcate.backends.numpy", "NumpyBackend"),
    "c": ("furcate.backends.c", "CBackend"),
    "xla": ("furcate.backends.xla", "XlaBackend"),
    "triton": ("furcate.backends.triton", "TritonBackend"),
}

_instances: dict[str, Backend] = {}


def register(target: str, module: str, cls: str) -> None:
    _REGISTRY[target] = (module, cls)


def targets() -> list[str]:
    return sorted(_REGISTRY)


def get_backend(target: str) -> Backend:
    if target not in _REGISTRY:
        raise ValueError(f"unknown target {target!r}; valid targets: {', '.join(['auto', *targets()])}")
    if target not in _instances:
        mod, cls = _REGISTRY[target]
        try:
            module = importlib.import_module(mod)
        except ImportError as e:
            raise BackendUnavailable(f"target {target!r} is not available here: {e}") from None
        _instances[target] = getattr(module, cls)()
    return _instances[target]
