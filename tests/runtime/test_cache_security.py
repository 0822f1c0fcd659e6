"""The compile cache cannot be turned against its user (furcate/runtime/cache.py, backends/c/build.py).

Unusable cache directories mean compiling without a disk cache (one warning); corrupt entries
and sidecars are rebuilt; entries that do not load are rebuilt once; entries or directories
someone else could have written are never read; the key includes the host CPU; the default
directory is per user and private; left-overs of killed compiles are swept.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from furcate.runtime import cache as cache_mod
from furcate.runtime.cache import DiskCache, cache_dir, cache_subdir, key_digest

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OTHER_UID = 12345
needs_root = pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")

# compiles two different C kernels (two cache entries) and checks the numbers
SCRIPT = r"""
import sys, numpy as np, furcate
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
for op in ("tanh", "exp"):
    b = GraphBuilder()
    x = b.arg(TensorSpec((8, 8), "f32"))
    y = b.op(op, b.op("mul", x, x))
    exe = compile_program(b.finish([y]), "c")
    (out,) = exe(np.full((8, 8), 0.5, np.float32))
    want = getattr(np, op)(np.float32(0.25))
    assert abs(out[0, 0] - want) < 1e-6, (op, out[0, 0])
    assert exe.target == "c", exe.target
s = furcate.stats()
print(s["cache_hits"], s["cache_misses"])
"""


def _run(cache_root, **env):
    e = dict(os.environ, FURCATE_CACHE_DIR=str(cache_root), **env)
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=e, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    hits, misses = r.stdout.split()
    return int(hits), int(misses), r.stderr


def _entries(root: Path) -> list[Path]:
    return sorted((root / "c").glob("*.so"))


def _plant(entry: Path, data: bytes) -> None:
    """Replace a cache entry's bytes and give it a matching sidecar."""
    entry.write_bytes(data)
    entry.with_name(entry.name + ".sha256").write_text(hashlib.sha256(data).hexdigest())


def _evil_library(tmp_path: Path, marker: Path) -> bytes:
    """A valid shared library whose constructor creates ``marker`` when it is loaded."""
    src = tmp_path / "evil.c"
    src.write_text('#include <stdio.h>\n__attribute__((constructor)) static void pwn(void) '
                   f'{{ FILE *f = fopen("{marker}", "w"); if (f) fclose(f); }}\n')
    out = tmp_path / "evil.so"
    subprocess.run(["gcc", "-shared", "-fPIC", str(src), "-o", str(out)], check=True, capture_output=True)
    return out.read_bytes()


@pytest.fixture
def warnings_logged():
    """The messages of the warnings furcate logs during the test."""
    import logging

    from furcate import diagnostics

    got: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: got.append(record.getMessage())
    diagnostics.log("cache")  # configure furcate's handlers first
    base = logging.getLogger("furcate")
    base.addHandler(handler)
    yield got
    base.removeHandler(handler)


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch):
    """Each test sees its own cache directories and warnings (the module remembers them per process)."""
    monkeypatch.setattr(cache_mod, "_dirs", {})
    monkeypatch.setattr(cache_mod, "_warned", set())


# --------------------------------------------------------------------------
# an unusable cache directory


def _read_only_dir(tmp_path: Path):
    d = tmp_path / "ro"
    d.mkdir(mode=0o700)
    if not IS_ROOT:
        d.chmod(0o500)
        return d, lambda: d.chmod(0o700)
    r = subprocess.run(["chattr", "+i", str(d)], capture_output=True)  # root ignores mode bits
    if r.returncode != 0:
        pytest.skip(f"cannot make a directory read-only for root here: {r.stderr.decode().strip()}")
    return d, lambda: subprocess.run(["chattr", "-i", str(d)], check=True)


@pytest.mark.parametrize("how", ["under-a-file", "read-only"])
def test_unusable_cache_dir_compiles_without_a_disk_cache_with_one_warning(tmp_path, how):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    undo = None
    if how == "under-a-file":
        (tmp_path / "file").write_text("")
        root = tmp_path / "file" / "cache"  # cannot be created
    else:
        root, undo = _read_only_dir(tmp_path)
    try:
        hits, misses, err = _run(root, TMPDIR=str(tmpdir))
    finally:
        if undo:
            undo()
    assert (hits, misses) == (0, 2)
    assert err.count("compiling without a disk cache") == 1, err
    assert not list(tmpdir.glob("furcate-nocache-*")), "the private directory is removed at exit"
    if how == "read-only":
        assert list(root.iterdir()) == []


# --------------------------------------------------------------------------
# corrupt entries and sidecars


@pytest.mark.parametrize("sidecar", [b"\xff\xfe\x00not utf-8\x80", b"", b"0123abcd", "TRUNCATED"])
def test_bad_sidecar_is_a_corrupt_entry(tmp_path, sidecar, warnings_logged):
    c = DiskCache("t", root=tmp_path)
    k = key_digest("src")
    built = []

    def build(out):
        built.append(out)
        out.write_bytes(b"artifact")

    p, hit = c.get_or_build(k, ".bin", build)
    sig = p.with_name(p.name + ".sha256")
    if sidecar == "TRUNCATED":
        sidecar = sig.read_bytes()[:40]
    sig.write_bytes(sidecar)
    p2, hit = c.get_or_build(k, ".bin", build)
    assert not hit and len(built) == 2 and p2.read_bytes() == b"artifact"
    assert sig.read_bytes().decode() == hashlib.sha256(b"artifact").hexdigest()
    assert sum("corrupt" in m for m in warnings_logged) == 1
    assert c.get_or_build(k, ".bin", build)[1] is True


def test_truncated_entry_is_rebuilt(tmp_path):
    c = DiskCache("t", root=tmp_path)
    k = key_digest("src")
    p, _ = c.get_or_build(k, ".bin", lambda out: out.write_bytes(b"artifact-bytes"))
    p.write_bytes(b"artif")
    assert c.read(k, ".bin") is None and not p.exists()


def test_non_utf8_sidecar_in_another_process_is_rebuilt(tmp_path):
    _run(tmp_path)
    for so in _entries(tmp_path):
        so.with_name(so.name + ".sha256").write_bytes(b"\xff" * 64)
    hits, misses, err = _run(tmp_path)
    assert (hits, misses) == (0, 2) and "corrupt" in err
    assert _run(tmp_path)[:2] == (2, 0)


# --------------------------------------------------------------------------
# entries that do not load


def test_garbage_library_with_matching_sidecar_is_deleted_and_rebuilt(tmp_path):
    _run(tmp_path)
    for so in _entries(tmp_path):
        _plant(so, b"this is not an ELF file\n" * 40)
    hits, misses, err = _run(tmp_path)
    assert (hits, misses) == (2, 2)  # each entry hit, failed to load, rebuilt once
    assert err.count("does not load") == 2, err
    assert all(so.read_bytes()[:4] == b"\x7fELF" for so in _entries(tmp_path))
    assert _run(tmp_path)[:2] == (2, 0)


def test_library_that_never_loads_is_a_compile_error(tmp_path, monkeypatch, warnings_logged):
    from furcate.backends.c import build as cbuild
    from furcate.errors import CompileError

    cc = tmp_path / "bad-cc"  # a "compiler" whose output is not a shared library
    cc.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then exec gcc --version; fi\n'
                  'prev=""; for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done\n'
                  'printf "not an ELF file" > "$out"\n')
    cc.chmod(0o755)
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CC", str(cc))
    source = "int fc_never_loads(void) { return 7; }\n"
    with pytest.raises(CompileError, match="does not load"):
        cbuild.build_library(source, "never_loads")
    assert not _entries(tmp_path / "cache"), "a library that does not load is not kept"
    # a cached entry that does not load, rebuilt into one that does not load either
    digest = cbuild.library_key(cbuild.PRELUDE + "\n" + source, str(cc))
    DiskCache("c").store(digest, ".so", b"garbage")
    with pytest.raises(CompileError, match="even rebuilt"):
        cbuild.build_library(source, "never_loads")
    assert sum("deleting and rebuilding" in m for m in warnings_logged) == 1


# --------------------------------------------------------------------------
# entries and directories someone else could have written


@pytest.mark.parametrize("how", [pytest.param("other-user", marks=needs_root), "world-writable", "group-writable",
                                 "symlink"])
def test_planted_entry_is_never_loaded(tmp_path, how):
    root = tmp_path / "cache"
    _run(root)
    marker = tmp_path / "PWNED"
    evil = _evil_library(tmp_path, marker)
    for so in _entries(root):
        sig = so.with_name(so.name + ".sha256")
        _plant(so, evil)
        if how == "other-user":
            os.chown(so, OTHER_UID, OTHER_UID)
            os.chown(sig, OTHER_UID, OTHER_UID)
        elif how == "world-writable":
            so.chmod(0o666)
        elif how == "group-writable":
            sig.chmod(0o620)
        else:
            (tmp_path / so.name).write_bytes(evil)
            so.unlink()
            so.symlink_to(tmp_path / so.name)
    hits, misses, err = _run(root)
    assert not marker.exists(), "a planted library was loaded"
    assert (hits, misses) == (0, 2)
    assert err.count("ignoring compile cache entry") == 1, err  # one warning, not one per entry
    for so in _entries(root):  # replaced by our own build
        st = os.lstat(so)
        assert stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022
        assert so.read_bytes() != evil
    assert _run(root)[:2] == (2, 0)


@needs_root
@pytest.mark.parametrize("level", ["root", "subdir"])
def test_cache_directory_of_another_user_is_not_used(tmp_path, level):
    root = tmp_path / "cache"
    _run(root)
    marker = tmp_path / "PWNED"
    evil = _evil_library(tmp_path, marker)
    for so in _entries(root):
        _plant(so, evil)
    for p in [root, *root.rglob("*")]:
        os.chown(p, OTHER_UID, OTHER_UID)
    if level == "subdir":
        os.chown(root, os.geteuid(), os.getegid())
    before = sorted(str(p) for p in root.rglob("*"))
    hits, misses, err = _run(root, TMPDIR=str(tmp_path))
    assert not marker.exists()
    assert (hits, misses) == (0, 2)
    assert err.count("compiling without a disk cache") == 1 and f"owned by uid {OTHER_UID}" in err, err
    assert sorted(str(p) for p in root.rglob("*")) == before, "nothing is written into it"


def test_loose_cache_directory_of_ours_is_tightened(tmp_path):
    root = tmp_path / "cache"
    root.mkdir()
    root.chmod(0o777)
    hits, misses, err = _run(root)
    assert (hits, misses) == (0, 2)
    assert stat.S_IMODE(os.stat(root).st_mode) & 0o022 == 0
    assert err.count("writable by group or others") == 1
    assert _run(root)[:2] == (2, 0)


# --------------------------------------------------------------------------
# where the cache is, and what its key holds


def test_default_cache_dir_is_per_user_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("FURCATE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "furcate"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: relative paths are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "furcate"
    d = cache_subdir("c")
    assert d == tmp_path / "home" / ".cache" / "furcate" / "c"
    for p in (d, d.parent):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o700
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path / "override"))
    assert cache_dir() == tmp_path / "override"


def test_host_cpu_id_names_this_cpu():
    cpu = cache_mod.host_cpu_id()
    assert cpu.startswith("machine=") and cpu == cache_mod.host_cpu_id()
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    assert all(f in cpu for f in flags[:5])


@pytest.mark.parametrize("change", ["cpu", "flags", "version", "compiler"])
def test_key_includes_everything_the_library_depends_on(monkeypatch, change):
    from furcate.backends.c import build as cbuild

    cc = cbuild.compiler()
    if cc is None:
        pytest.skip("no C compiler")
    before = cbuild.library_key("int f(void) { return 1; }", cc)
    if change == "cpu":
        monkeypatch.setattr(cbuild, "host_cpu_id", lambda: "machine=x86_64|model name=Another CPU")
    elif change == "flags":
        monkeypatch.setattr(cbuild, "FLAGS", [*cbuild.FLAGS, "-mno-avx"])
    elif change == "version":
        from furcate import _version

        monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    else:
        monkeypatch.setattr(cbuild, "compiler_binary", lambda cc: "/other/gcc:1:2")
    assert cbuild.library_key("int f(void) { return 1; }", cc) != before


def test_another_host_cpu_misses_the_cache(tmp_path, monkeypatch):
    from furcate.backends.c import build as cbuild

    if cbuild.compiler() is None:
        pytest.skip("no C compiler")
    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    source = "int fc_cpu_probe(void) { return 3; }\n"
    assert cbuild.build_library(source, "cpu_probe").fc_cpu_probe() == 3
    monkeypatch.setattr(cbuild, "host_cpu_id", lambda: "machine=x86_64|model name=Another CPU|flags=sse2")
    assert cbuild.build_library(source, "cpu_probe").fc_cpu_probe() == 3
    assert len(_entries(tmp_path)) == 2


# --------------------------------------------------------------------------
# left-overs of killed compiles


def test_stale_build_directories_are_swept(tmp_path):
    sub = tmp_path / "c"
    sub.mkdir(parents=True)
    old = time.time() - cache_mod.STALE_S - 60
    stale, fresh = sub / "build-killed", sub / "build-running"
    for d in (stale, fresh):
        d.mkdir()
        (d / "artifact.c").write_text("int x;")
    stale_tmp = sub / "abc.so.x1y2.tmp"
    stale_tmp.write_bytes(b"half")
    keep = sub / "0123.so"
    keep.write_bytes(b"entry")
    for p in (stale / "artifact.c", stale, stale_tmp, keep):
        os.utime(p, (old, old))
    foreign = None
    if IS_ROOT:
        foreign = sub / "build-other-user"
        foreign.mkdir()
        os.chown(foreign, OTHER_UID, OTHER_UID)
        os.utime(foreign, (old, old))
    c = DiskCache("c", root=tmp_path)
    c.get_or_build(key_digest("x"), ".bin", lambda out: out.write_bytes(b"x"))
    assert not stale.exists() and not stale_tmp.exists()
    assert fresh.exists() and keep.exists()
    assert foreign is None or foreign.exists(), "only our own left-overs are removed"
    assert sorted(p.name for p in sub.glob("build-*")) == sorted(
        ["build-running", *(["build-other-user"] if foreign else [])])


# --------------------------------------------------------------------------
# the other files furcate keeps in the cache


@needs_root
def test_planted_device_measurement_is_ignored(tmp_path, monkeypatch):
    from furcate.runtime import devices as D

    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(D, "_measured", {})
    monkeypatch.setitem(D._MEASURE, "planteddev", lambda name: {"mem_bandwidth": 7e10})
    base = D.KNOWN_PARTS["host"]
    path = D._cache_file("planteddev:0")
    path.write_text('{"mem_bandwidth": 3e10}')
    os.chown(path, OTHER_UID, OTHER_UID)
    assert D.measured_spec("planteddev:0", base).mem_bandwidth == 7e10  # measured, not the planted number


@needs_root
def test_planted_autotune_table_is_ignored(tmp_path, monkeypatch):
    from furcate.backends.triton.launch import Config, TuneCache

    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    tc = TuneCache()
    key = tc.key("src", "dev", "3.0")
    good = Config((("BLOCK", 64),), 4, 2)
    tc.put(key, good)
    assert TuneCache().get(key) == good
    os.chown(tc.path, OTHER_UID, OTHER_UID)
    assert TuneCache().get(key) is None


def test_triton_source_directory_is_checked(tmp_path, monkeypatch):
    from furcate.backends.triton import runtime as trt

    monkeypatch.setenv("FURCATE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(trt, "_modules", {})
    src = "VALUE = 41 + 1\n"
    assert trt.load(src, "VALUE") == 42
    (path,) = (tmp_path / "triton" / "src").glob("fc_*.py")
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    path.write_text("VALUE = 'planted'\n")  # a different text under the same name is rewritten
    monkeypatch.setattr(trt, "_modules", {})
    monkeypatch.setattr(cache_mod, "_dirs", {})
    assert trt.load(src, "VALUE") == 42


def test_cache_checks_do_not_import_frameworks():
    code = ("import sys, furcate.runtime.cache as c; c.cache_subdir('c'); c.host_cpu_id(); "
            "print(sorted(m for m in ('torch', 'jax', 'triton') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr


def test_sweep_does_not_follow_a_symlinked_build_dir(tmp_path):
    """A stale ``build-*`` that is a symbolic link is not followed: its target is left alone."""
    sub = tmp_path / "c"
    sub.mkdir()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("keep")
    link = sub / "build-link"
    link.symlink_to(victim)
    old = time.time() - cache_mod.STALE_S - 60
    os.utime(link, (old, old), follow_symlinks=False)
    cache_subdir("c", root=tmp_path)
    assert (victim / "precious").read_text() == "keep"
