"""Compiling generated C: finding the compiler, the flags, the on-disk cache.

Flags: ``-O3 -march=native -fopenmp -fwrapv -fno-math-errno
-fno-trapping-math -ffp-contract=off``. Not ``-ffast-math``: NaN, inf and
signed zeros keep IEEE semantics (transcendentals are vectorized by the
prelude's own branch-free approximations instead of libmvec), and
``-ffp-contract=off`` keeps ``a*b+c`` rounded like NumPy. ``-fno-trapping-math``
only lets gcc if-convert selects (furcate never reads FP exception flags).

The cache key (``library_key``) is everything the binary depends on: the full
source (prelude included), the compiler's identity (``--version`` line, resolved
path, size and mtime of the binary), the flags, furcate's version and the host
CPU (``host_cpu_id``: ``-march=native`` code must not run on another CPU). A
cached library that does not load (``dlopen`` fails: not an ELF file, another
ISA...) is deleted and rebuilt once; a fresh build that does not load is a
``CompileError``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from furcate.diagnostics import log, timed
from furcate.errors import CompileError
from furcate.runtime.cache import DiskCache, host_cpu_id, key_digest

FLAGS = ["-O3", "-march=native", "-fopenmp", "-fwrapv", "-fno-math-errno", "-fno-trapping-math",
         "-ffp-contract=off", "-fPIC", "-shared", "-std=gnu11", "-w"]
LIBS = ["-lm"]
PRELUDE = (Path(__file__).with_name("prelude.h")).read_text()


@lru_cache(maxsize=None)
def compiler_info(cc: str) -> str | None:
    """``cc --version``'s first line, or None when ``cc`` does not run.

    Remembered on disk per compiler binary (resolved path, size, mtime), so a process
    that finds all its kernels in the cache starts no compiler process at all."""
    path = shutil.which(cc)
    if path is None:
        return None
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    memo = DiskCache("cc-info")
    digest = key_digest(path, real, str(st.st_size), str(st.st_mtime_ns))
    hit = memo.read(digest, ".txt")
    if hit is not None:
        try:
            return hit.decode("utf-8")
        except UnicodeDecodeError:
            log("cache").warning("cache entry %s is corrupt (not UTF-8); rebuilding", memo.path(digest, ".txt"))
            memo.discard(digest, ".txt")
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    info = f"{path}: {out.stdout.splitlines()[0] if out.stdout else ''}"
    try:
        memo.store(digest, ".txt", info.encode())
    except OSError:  # a read-only cache only costs the next process one `cc --version`
        pass
    return info


@lru_cache(maxsize=None)
def compiler_binary(cc: str) -> str:
    """The compiler binary's resolved path, size and mtime (part of the cache key)."""
    path = shutil.which(cc) or cc
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return path
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


def library_key(full_source: str, cc: str) -> str:
    """The cache key of ``full_source`` (prelude included) built by ``cc`` on this host."""
    from furcate import __version__

    return key_digest(full_source, compiler_info(cc) or cc, compiler_binary(cc), " ".join(FLAGS + LIBS),
                      __version__, host_cpu_id())


def compiler() -> str | None:
    """The C compiler to use (``$CC`` or gcc or cc), or None if none works."""
    env = os.environ.get("CC")
    for cc in ([env] if env else ["gcc", "cc"]):
        if compiler_info(cc) is not None:
            return cc
    return None


_LIBS: dict[str, ctypes.CDLL] = {}


def build_library(source: str, name: str = "kernel") -> ctypes.CDLL:
    """Compile ``source`` (the prelude is prepended) to a shared library, through the cache."""
    cc = compiler()
    if cc is None:
        raise CompileError("c backend: no working C compiler (set CC)")
    full = PRELUDE + "\n" + source
    digest = library_key(full, cc)
    if digest in _LIBS:
        return _LIBS[digest]
    cache = DiskCache("c")

    def build(out: Path) -> None:
        src = out.with_suffix(".c")
        src.write_text(full)
        with timed("c:compile"):
            r = subprocess.run([cc, *FLAGS, str(src), "-o", str(out), *LIBS], capture_output=True, text=True)
        if r.returncode != 0:
            raise CompileError(f"c backend: {cc} failed on {name}:\n{r.stderr[-4000:]}")
        log("codegen").debug("compiled %s (%d lines of C)", name, full.count("\n"))

    path, hit = cache.get_or_build(digest, ".so", build)
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as err:
        if not hit:
            cache.discard(digest, ".so")
            raise CompileError(f"c backend: the library {cc} built for {name} does not load: {err}") from None
        log("cache").warning("cache entry %s does not load (%s); deleting and rebuilding it", path, err)
        cache.discard(digest, ".so")
        path, _hit = cache.get_or_build(digest, ".so", build)
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as err2:
            cache.discard(digest, ".so")
            raise CompileError(f"c backend: the library {cc} built for {name} does not load, "
                               f"even rebuilt: {err2}") from None
    _LIBS[digest] = lib
    return lib
