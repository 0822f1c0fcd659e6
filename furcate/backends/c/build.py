"""Compiling generated C: finding the compiler, the flags, the on-disk cache.

Flags: ``-O3 -march=native -mprefer-vector-width=512 -fopenmp -fwrapv
-fno-math-errno -fno-trapping-math -ffp-contract=off``. gcc's own choice on
AVX-512 Xeons is 256-bit vectors; 512 doubles the lanes of compute-bound loops
(erf, tanh: LayerNorm+GELU on 256x1024 320 -> 246 us on 2 cores) and is ignored
on CPUs without AVX-512; the lanes do not change a result (no reassociation).
Not ``-ffast-math``: NaN, inf and signed zeros keep IEEE semantics
(transcendentals are vectorized by the prelude's own branch-free approximations
instead of libmvec), and
``-ffp-contract=off`` keeps ``a*b+c`` rounded like NumPy. ``-fno-trapping-math``
only lets gcc if-convert selects (furcate never reads FP exception flags).
Big libraries build as parallel parts; their small kernels at -O1 (``SMALL_WORK``).

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

from furcate import _version
from furcate.diagnostics import log, timed
from furcate.errors import CompileError
from furcate.runtime.cache import DiskCache, host_cpu_id, key_digest

FLAGS = ["-O3", "-march=native", "-mprefer-vector-width=512", "-fopenmp", "-fwrapv", "-fno-math-errno",
         "-fno-trapping-math", "-ffp-contract=off", "-fPIC", "-shared", "-std=gnu11", "-w"]
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
    return key_digest(full_source, compiler_info(cc) or cc, compiler_binary(cc), " ".join(FLAGS + LIBS),
                      f"small kernels (<= {SMALL_WORK}): {' '.join(SMALL_FLAGS)}",
                      _version.__version__, host_cpu_id())


def compiler() -> str | None:
    """The C compiler to use (``$CC`` or gcc or cc), or None if none works."""
    env = os.environ.get("CC")
    for cc in ([env] if env else ["gcc", "cc"]):
        if compiler_info(cc) is not None:
            return cc
    return None


_LIBS: dict[str, ctypes.CDLL] = {}


# A library with more C than this (and several kernels) is compiled as several translation
# units by parallel gcc processes, one per available core, then linked: gcc's time is
# per function, so the parts take about 1/jobs of the time (a 10,000-op graph's 1,400
# kernels). Below it one process is faster (each part parses the prelude again).
PARALLEL_BYTES = 96 * 1024
PART_BYTES = 48 * 1024  # the least C per part


def compile_jobs() -> int:
    """gcc processes to run at once: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def build_library(source: str, name: str = "kernel",
                  parts: tuple[str, list[tuple[str, str, bool]], str] | None = None) -> ctypes.CDLL:
    """Compile ``source`` (the prelude is prepended) to a shared library, through the cache.
    ``parts``: the same source as (header, [(kernel function name, its C, small)], entry code),
    which lets a big library build in parallel (``PARALLEL_BYTES``)."""
    cc = compiler()
    if cc is None:
        raise CompileError("c backend: no working C compiler (set CC)")
    full = PRELUDE + "\n" + source
    digest = library_key(full, cc)
    if digest in _LIBS:
        return _LIBS[digest]
    cache = DiskCache("c")

    def build(out: Path) -> None:
        jobs = min(compile_jobs(), len(full) // PART_BYTES, len(parts[1]) if parts else 0)
        with timed("c:compile"):
            if parts is not None and len(full) > PARALLEL_BYTES and jobs > 1:
                _compile_parts(cc, out, parts, jobs, name)
            else:
                src = out.with_suffix(".c")
                src.write_text(full)
                _check(subprocess.run([cc, *FLAGS, str(src), "-o", str(out), *LIBS],
                                      capture_output=True, text=True), cc, name)
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


def _check(r: subprocess.CompletedProcess, cc: str, name: str) -> None:
    if r.returncode != 0:
        raise CompileError(f"c backend: {cc} failed on {name}:\n{r.stderr[-4000:]}")


# A kernel whose loops run at most this many iterations in all (no GEMM, no convolution)
# is compiled at -O1 when a big library is split into parts (``_compile_parts``): its run
# time is well under a microsecond either way, while -O3 spends about twice as long on it
# (full unrolling, vectorisation); the 10,000-op random DAG of compile_scaling.py is such
# kernels. The results do not change: furcate's C never lets gcc reassociate float math.
SMALL_WORK = 4096
SMALL_FLAGS = ["-O1" if f == "-O3" else f for f in FLAGS if f != "-shared"]


def is_small(kernel) -> bool:
    """Is ``kernel`` (a ``backends.kernel.desc.Kernel``) cheap to run: see ``SMALL_WORK``."""
    if kernel.dot is not None or kernel.kind not in ("pointwise", "reduction"):
        return False
    work = 1
    for e in kernel.extents:
        work *= e
    return work <= SMALL_WORK


def _chunks(kernels, jobs: int) -> list[tuple[bool, list[tuple[str, str]]]]:
    """Kernels split into translation units of about equal compile time, each all small or
    all not (they get different flags): (small, [(name, C)]) in order of first kernel.
    gcc's time is taken as proportional to the bytes of C, halved at -O1."""
    weight = {True: 0.45, False: 1.0}
    total = sum(len(text) * weight[small] for _, text, small in kernels)
    target = total / jobs
    out: list[tuple[bool, list[tuple[str, str]]]] = []
    for small in (False, True):
        size = 0.0
        for fname, text, s in kernels:
            if s is not small:
                continue
            if not out or out[-1][0] is not small or (size >= target and out[-1][1]):
                out.append((small, []))
                size = 0.0
            out[-1][1].append((fname, text))
            size += len(text) * weight[small]
    return out


def _compile_parts(cc: str, out: Path, parts, jobs: int, name: str) -> None:
    """Compile the kernels in about ``jobs`` translation units, ``jobs`` at once, and link
    them with the entry code: each kernel function gets hidden external linkage instead of
    ``static``, and the entry's unit declares them. Parts are balanced by bytes of C; small
    kernels (``is_small``) go to parts of their own compiled at -O1."""
    header, kernels, entry = parts
    hidden = '__attribute__((visibility("hidden"))) void '
    protos = []
    sources: list[tuple[str, list[str]]] = []
    compile_flags = [f for f in FLAGS if f != "-shared"]
    for small, chunk in _chunks(kernels, jobs):
        texts = []
        for fname, text in chunk:
            head = f"static void {fname}("
            at = text.find(head)  # its static helpers (an im2col function) may come first
            if at < 0 or (at and text[at - 1] != "\n"):
                raise CompileError(f"c backend: kernel {fname} of {name} has no line starting with its signature")
            body = text[at + len("static void "):]
            texts.append(text[:at] + hidden + body)
            protos.append(hidden + body[:body.index(") {") + 1] + ";")
        sources.append(("\n".join([PRELUDE, header, *texts]), SMALL_FLAGS if small else compile_flags))
    sources.append(("\n".join([PRELUDE, header, *protos, entry]), compile_flags))
    procs: list[subprocess.Popen] = []
    objs = []
    try:
        for i, (text, flags) in enumerate(sources):
            src = out.with_name(f"{out.stem}.part{i}.c")
            src.write_text(text)
            obj = src.with_suffix(".o")
            objs.append(str(obj))
            procs.append(subprocess.Popen([cc, *flags, "-c", str(src), "-o", str(obj)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            if len(procs) >= jobs:  # at most ``jobs`` at once: wait for the oldest
                _wait(procs.pop(0), cc, name)
        while procs:
            _wait(procs.pop(0), cc, name)
    finally:
        for p in procs:  # after a failure: stop the others
            p.kill()
            p.wait()
    _check(subprocess.run([cc, *FLAGS, *objs, "-o", str(out), *LIBS], capture_output=True, text=True), cc, name)


def _wait(p: subprocess.Popen, cc: str, name: str) -> None:
    _out, err = p.communicate()
    if p.returncode != 0:
        raise CompileError(f"c backend: {cc} failed on {name}:\n{(err or '')[-4000:]}")
