"""Finding the function ``furcate compile MODULE_OR_FILE:FUNCTION`` is about.

``MODULE_OR_FILE`` is a dotted module name (imported as ``python -m`` would,
with the current directory on ``sys.path``) or a path to a ``.py`` file.
``FUNCTION`` is an attribute of it (dots reach into classes or submodules).

For the torch frontend the attribute is used as follows:
- an ``nn.Module`` subclass is instantiated with no arguments;
- an ``nn.Module`` instance is used as it is;
- a function with no parameters is a factory: it is called, and its result
  must be an ``nn.Module``;
- any other callable is traced as a plain function of the ``--input`` tensors.

For the jax frontend the attribute must be a function of the ``--input`` arrays.

The module the user names is the only code the CLI runs from a file. Its
directory (or the current directory, for a dotted name) is first on
``sys.path`` only while it is imported, as ``python -m`` would have it; then it
leaves ``sys.path``, and only code in that directory can import its modules, so a
stray ``sympy.py`` or ``tqdm.py`` beside the model never runs when furcate or torch
imports (or tries to import) that name later.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from furcate.cli.common import CliError


def split_target(text: str) -> tuple[str, str]:
    module, sep, attr = text.rpartition(":")
    if not sep or not module or not attr:
        raise CliError(f"expected MODULE_OR_FILE:FUNCTION (e.g. model.py:MLP or pkg.models:make_mlp), got {text!r}")
    return module, attr


def import_module(spec: str):
    """Import a dotted module name or a ``.py`` file; errors become one-line ``CliError``s."""
    path = Path(spec)
    is_file = spec.endswith(".py") or os.sep in spec
    try:
        if is_file:
            if not path.is_file():
                raise CliError(f"no such file: {spec!r}")
            name = f"_furcate_user_{path.stem}"
            mspec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(mspec)
            sys.modules[name] = module
            with _first_on_path(str(path.resolve().parent)):  # so the file can import its neighbours
                mspec.loader.exec_module(module)
            return module
        if "" in sys.path or os.getcwd() in sys.path:
            return importlib.import_module(spec)
        with _first_on_path(os.getcwd()):
            return importlib.import_module(spec)
    except CliError:
        raise
    except ModuleNotFoundError as e:
        if e.name and (spec == e.name or spec.startswith(e.name + ".")):
            raise CliError(f"no module named {spec!r} (not importable from {os.getcwd()})") from None
        raise CliError(f"importing {spec!r} failed: {e}") from None
    except Exception as e:  # noqa: BLE001 - the user's module raised while importing
        raise CliError(f"importing {spec!r} failed: {type(e).__name__}: {e}") from None


@contextmanager
def _first_on_path(directory: str):
    """``directory`` first on ``sys.path`` for the block; afterwards it is off ``sys.path`` and
    only code from that directory can import its modules (``_NeighbourFinder``: lazy imports of
    the user's neighbours resolve, while a ``tqdm.py`` beside the model never runs when torch
    tries an optional ``import tqdm`` that is not installed)."""
    sys.path.insert(0, directory)
    try:
        yield
    finally:
        sys.path.remove(directory)
        if not any(isinstance(f, _NeighbourFinder) and f.directory == directory for f in sys.meta_path):
            sys.meta_path.append(_NeighbourFinder(directory))


class _NeighbourFinder:
    """A meta path finder (last on ``sys.meta_path``) for the top-level modules of one
    directory, answering only imports made by code whose file lies in that directory."""

    def __init__(self, directory: str):
        self.directory = os.path.realpath(directory)

    def find_spec(self, name, path=None, target=None):
        if path is not None or "." in name or not self._asked_from_directory():
            return None
        base = os.path.join(self.directory, name)
        if os.path.isfile(os.path.join(base, "__init__.py")):
            return importlib.util.spec_from_file_location(name, os.path.join(base, "__init__.py"),
                                                          submodule_search_locations=[base])
        if os.path.isfile(base + ".py"):
            return importlib.util.spec_from_file_location(name, base + ".py")
        return None

    def _asked_from_directory(self) -> bool:
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        if frame is None:
            return False
        return os.path.dirname(os.path.realpath(frame.f_code.co_filename)) == self.directory

    def invalidate_caches(self):
        pass


def get_attr(module, module_spec: str, attr: str):
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            names = sorted(n for n in dir(module) if not n.startswith("_"))
            hint = f"; it defines: {', '.join(names[:20])}" if names else ""
            raise CliError(f"{module_spec!r} has no attribute {attr!r}{hint}")
        obj = getattr(obj, part)
    return obj


def _takes_no_parameters(fn) -> bool:
    try:
        return len(inspect.signature(fn).parameters) == 0
    except (TypeError, ValueError):
        return False


def load_torch_callable(target: str):
    """The nn.Module or function named by ``target``, by the rules in this module's docstring."""
    module_spec, attr = split_target(target)
    obj = get_attr(import_module(module_spec), module_spec, attr)
    try:
        import torch
    except ImportError:
        raise CliError("--frontend torch needs PyTorch (pip install 'furcate[torch]')") from None
    if isinstance(obj, type):
        if not issubclass(obj, torch.nn.Module):
            raise CliError(f"{target} is a class but not a torch.nn.Module subclass")
        try:
            return obj()
        except TypeError as e:
            raise CliError(f"{target}() failed: {e} (an nn.Module class must build with no arguments; "
                           "name a factory function instead)") from None
    if isinstance(obj, torch.nn.Module):
        return obj
    if not callable(obj):
        raise CliError(f"{target} is a {type(obj).__name__}, not a function or nn.Module")
    if _takes_no_parameters(obj):
        made = obj()
        if not isinstance(made, torch.nn.Module):
            raise CliError(f"{target} takes no parameters, so it is called as a factory, "
                           f"but it returned a {type(made).__name__}, not an nn.Module")
        return made
    return obj


def input_names(fn) -> tuple[list[str], int] | None:
    """(names of the positional parameters ``fn`` (or an nn.Module's ``forward``) takes, how
    many of them are required), or None when the signature does not say (``*args``, builtins)."""
    forward = getattr(fn, "forward", None)
    try:
        sig = inspect.signature(forward if callable(forward) else fn)
    except (TypeError, ValueError):
        return None
    names, required = [], 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
            required += p.default is p.empty
    return names, required


def check_input_count(fn, given: int, target: str) -> None:
    """A one-line error naming ``fn``'s parameters when ``given`` ``--input`` specs cannot
    be its arguments (before tracing, which would fail with the framework's own error)."""
    found = input_names(fn)
    if found is None:
        return
    names, required = found
    if required <= given <= len(names):
        return
    want = str(required) if required == len(names) else f"{required} to {len(names)}"
    listed = ", ".join(names) or "none"
    example = " ".join("--input 'f32[8,128]'" for _ in range(max(required, 1)))
    raise CliError(f"{target} takes {want} input(s) ({listed}); got {given} --input spec(s). "
                   f"Give one --input SPEC per input, in order, e.g. {example}")


def load_jax_callable(target: str):
    module_spec, attr = split_target(target)
    obj = get_attr(import_module(module_spec), module_spec, attr)
    if not callable(obj):
        raise CliError(f"{target} is a {type(obj).__name__}, not a function")
    return obj
