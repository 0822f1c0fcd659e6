"""The on-disk compile cache, and the rules that keep it from being turned against its user.

Where: ``$FURCATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/furcate``, else
``~/.cache/furcate`` (one per user). Directories furcate creates are mode 0700.

An entry is a file named by the SHA-256 of its key (everything the artifact
depends on: source, compiler identity, flags, host CPU, furcate version...),
written to a temporary file and published with ``os.replace`` so concurrent
writers never expose a partial file. Next to it sits ``<name>.sha256``, the hex
digest of the entry's bytes. Reading an entry:

- a directory of the cache (the root, a subdirectory) that is not owned by the
  current user is not used: this process compiles without a disk cache (in a
  private temporary directory, removed at exit), with one warning. One of ours
  that group or others can write is tightened (those bits removed), with a warning;
- an entry or sidecar that is not a regular file of ours, or that group or
  others can write, is never read: it is ignored (one warning per directory) and
  replaced by a fresh build;
- a sidecar that is not 64 hex digits (not UTF-8, truncated, empty) or that does
  not match the entry's bytes makes a corrupt entry: deleted and rebuilt;
- a cache directory that cannot be created or written means compiling without a
  disk cache, with one warning (never a fatal error);
- ``build-*`` directories and ``*.tmp`` files of ours older than an hour
  (``STALE_S``: left by a killed compile) are removed the first time a process
  uses a cache directory.

Code that keeps its own files in the cache (the Triton autotuning table, device
measurements) uses ``cache_subdir``, ``read_trusted`` and ``write_atomic``, which
apply the same checks.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from furcate.diagnostics import STATS, log

STALE_S = 3600.0  # build-* directories and *.tmp files older than this are left-overs of a killed compile
_SIDECAR = re.compile(rb"\s*([0-9a-f]{64})\s*")
_SIDECAR_MAX = 256

_lock = threading.RLock()
_dirs: dict[tuple[str, ...], tuple[Path, bool]] = {}  # (root, *parts) -> (usable directory, persistent)
_private: Path | None = None  # this process's fallback when the disk cache cannot be used
_warned: set[str] = set()


def cache_dir() -> Path:
    """The configured cache root (not checked): ``$FURCATE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/furcate`` (an absolute ``XDG_CACHE_HOME`` only), else ``~/.cache/furcate``."""
    env = os.environ.get("FURCATE_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path(os.path.expanduser("~")) / ".cache"
    return base / "furcate"


def key_digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


@lru_cache(maxsize=None)
def host_cpu_id() -> str:
    """What identifies this host's CPU for code built with ``-march=native``: the machine,
    and from ``/proc/cpuinfo``'s first processor its vendor, family, model, model name and
    feature flags (read once per process; only the first processor's block is read)."""
    import platform

    keys = {"vendor_id", "cpu family", "model", "model name", "flags", "features", "cpu implementer",
            "cpu architecture", "cpu variant", "cpu part", "isa", "uarch", "cpu"}
    found: list[str] = []
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    if found:
                        break
                    continue
                k, sep, v = line.partition(":")
                k = k.strip().lower()
                if sep and k in keys:
                    found.append(f"{k}={' '.join(sorted(v.split())) if k in ('flags', 'features') else v.strip()}")
    except OSError:
        pass
    if not found:
        found = [f"processor={platform.processor()}"]
    return "|".join([f"machine={platform.machine()}", *found])


# --------------------------------------------------------------------------
# trust checks


class Untrusted(Exception):
    """A cache file or directory someone else could have written."""


def _euid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def _untrusted_reason(st: os.stat_result) -> str | None:
    uid = _euid()
    if uid is None:  # not POSIX: no owners or mode bits to check
        return None
    if st.st_uid != uid:
        return f"owned by uid {st.st_uid}, not by you (uid {uid})"
    if st.st_mode & 0o022:
        who = " and ".join(w for w, bit in (("group", 0o020), ("others", 0o002)) if st.st_mode & bit)
        return f"writable by {who} (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _warn_once(key: str, msg: str, *args) -> None:
    with _lock:
        if key in _warned:
            log("cache").debug(msg, *args)
            return
        _warned.add(key)
    log("cache").warning(msg, *args)


def read_trusted(path: str | Path, limit: int | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of ours that group and others cannot
    write (opened without following a symbolic link, checked on the open file); None when it
    does not exist. Raises ``Untrusted`` (with the reason) otherwise, ``OSError`` when it
    cannot be read. With ``limit``, at most ``limit + 1`` bytes are read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Untrusted("a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Untrusted("not a regular file")
        reason = _untrusted_reason(st)
        if reason:
            raise Untrusted(reason)
        chunks, left = [], (limit + 1 if limit is not None else -1)
        while left != 0:
            chunk = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            if left > 0:
                left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_cached_file(path: str | Path, limit: int | None = None) -> bytes | None:
    """``read_trusted`` for code with files of its own in the cache: None when the file is
    missing, unreadable or untrusted (the last with one warning per directory)."""
    try:
        return read_trusted(path, limit)
    except Untrusted as u:
        _warn_once(f"untrusted:{Path(path).parent}", "ignoring %s in the compile cache: %s", path, u)
    except OSError as e:
        log("cache").debug("cannot read %s: %s", path, e)
    return None


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a private temporary file beside ``path`` and rename it over ``path``
    (which replaces a symbolic link there rather than writing through it)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --------------------------------------------------------------------------
# directories


def _dir_problem(path: Path) -> str | None:
    """Create ``path`` (mode 0700) if needed and check it is a directory of ours that group and
    others cannot write (tightening one of ours) and that we can write; the reason if not."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(path)
    except OSError as e:
        return f"cannot create it: {e.strerror or e}"
    if not stat.S_ISDIR(st.st_mode):
        return "not a directory"
    uid = _euid()
    if uid is not None and st.st_uid != uid:
        return f"owned by uid {st.st_uid}, not by you (uid {uid})"
    if uid is not None and st.st_mode & 0o022:
        old = stat.S_IMODE(st.st_mode)
        try:
            os.chmod(path, old & ~0o022)
        except OSError as e:
            return f"writable by group or others (mode {old:o}) and cannot be tightened: {e.strerror or e}"
        log("cache").warning("compile cache directory %s was writable by group or others (mode %o); "
                             "removed those permissions (mode %o)", path, old, old & ~0o022)
    try:
        fd, probe = tempfile.mkstemp(dir=path, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        return f"cannot write to it: {e.strerror or e}"
    return None


def _private_root() -> Path:
    """This process's own cache root (``mkdtemp``: mode 0700), removed at exit."""
    global _private
    with _lock:
        if _private is None:
            _private = Path(tempfile.mkdtemp(prefix="furcate-nocache-"))
            atexit.register(shutil.rmtree, str(_private), True)
        return _private


def _sweep(path: Path) -> None:
    """Remove ``build-*`` directories and ``*.tmp`` files of ours older than ``STALE_S``."""
    uid, now = _euid(), time.time()
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        is_build = entry.name.startswith("build-")
        if not (is_build or entry.name.endswith(".tmp")):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (uid is not None and st.st_uid != uid) or now - st.st_mtime < STALE_S:
                continue
            if is_build and stat.S_ISDIR(st.st_mode):
                shutil.rmtree(entry.path)
            elif stat.S_ISREG(st.st_mode):
                os.unlink(entry.path)
            else:
                continue
            log("cache").debug("removed stale %s", entry.path)
        except OSError:
            continue


def cache_subdir(*parts: str, root: Path | None = None) -> Path:
    """The checked directory ``root/parts...`` (root: ``cache_dir()``), created 0700 and swept
    of stale build left-overs the first time this process asks; when the disk cache cannot be
    used there, the same path under this process's private directory (one warning)."""
    base = Path(root) if root is not None else cache_dir()
    key = (os.path.abspath(base), *parts)
    with _lock:
        if key in _dirs:
            return _dirs[key][0]
        d, persistent = _resolve(base, parts)
        _dirs[key] = (d, persistent)
        return d


def is_persistent(*parts: str, root: Path | None = None) -> bool:
    """Whether ``cache_subdir(*parts, root=root)`` is on disk for later processes."""
    cache_subdir(*parts, root=root)
    base = Path(root) if root is not None else cache_dir()
    return _dirs[(os.path.abspath(base), *parts)][1]


def _resolve(base: Path, parts: tuple[str, ...]) -> tuple[Path, bool]:
    problem = _dir_problem(base)
    d = Path(os.path.realpath(base)) if problem is None else None
    where = base
    for part in parts:
        if d is None:
            break
        d = d / part
        where = d
        problem = _dir_problem(d)
        if problem is not None:
            d = None
    if d is not None:
        _sweep(d)
        return d, True
    _warn_once("unusable", "compile cache directory %s is not usable (%s); compiling without a disk "
               "cache in this process", where, problem)
    return _fallback(parts), False


def _fallback(parts: tuple[str, ...]) -> Path:
    d = _private_root().joinpath(*parts)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def _fall_back_after_error(base_key: tuple[str, ...], parts: tuple[str, ...], err: OSError) -> Path:
    """Switch ``base_key`` to the private directory after a write failed there."""
    _warn_once("unusable", "cannot write to the compile cache %s (%s); compiling without a disk "
               "cache in this process", _dirs.get(base_key, (base_key[0],))[0], err.strerror or err)
    d = _fallback(parts)
    with _lock:
        _dirs[base_key] = (d, False)
    return d


# --------------------------------------------------------------------------
# the entry cache


class DiskCache:
    """Files keyed by content; ``get_or_build`` returns a verified path, building on a miss."""

    def __init__(self, subdir: str, root: Path | None = None):
        self.subdir = subdir
        self.root = root
        self._key = None

    @property
    def dir(self) -> Path:
        d = cache_subdir(self.subdir, root=self.root)
        base = Path(self.root) if self.root is not None else cache_dir()
        self._key = (os.path.abspath(base), self.subdir)
        return d

    @property
    def persistent(self) -> bool:
        return is_persistent(self.subdir, root=self.root)

    def path(self, digest: str, suffix: str) -> Path:
        return self.dir / f"{digest}{suffix}"

    def _sidecar(self, p: Path) -> Path:
        return p.with_name(p.name + ".sha256")

    def read(self, digest: str, suffix: str) -> bytes | None:
        """The entry's bytes if present, ours and intact; a corrupt entry is removed."""
        p = self.path(digest, suffix)
        sig = self._sidecar(p)
        try:
            data = read_trusted(p)
            want = read_trusted(sig, _SIDECAR_MAX) if data is not None else None
        except Untrusted as u:
            _warn_once(f"untrusted:{p.parent}", "ignoring compile cache entry %s: %s (it is rebuilt)", p, u)
            return None
        except OSError as e:
            log("cache").debug("cannot read cache entry %s: %s", p, e)
            return None
        if data is None or want is None:
            return None
        m = _SIDECAR.fullmatch(want)
        why = ("its .sha256 sidecar is not a SHA-256 hex digest" if m is None
               else "hash mismatch" if hashlib.sha256(data).hexdigest().encode() != m.group(1) else None)
        if why:
            log("cache").warning("cache entry %s is corrupt (%s); rebuilding", p, why)
            self.discard(digest, suffix)
            return None
        return data

    def lookup(self, digest: str, suffix: str) -> Path | None:
        """The entry's path if present, ours and intact; a corrupt entry is removed."""
        return self.path(digest, suffix) if self.read(digest, suffix) is not None else None

    def discard(self, digest: str, suffix: str) -> None:
        """Delete an entry and its sidecar (when they can be deleted)."""
        p = self.path(digest, suffix)
        for q in (p, self._sidecar(p)):
            try:
                q.unlink()
            except OSError:
                pass

    def store(self, digest: str, suffix: str, data: bytes) -> Path:
        p = self.path(digest, suffix)
        write_atomic(p, data)
        write_atomic(self._sidecar(p), hashlib.sha256(data).hexdigest().encode())
        return p

    def _store_or_fall_back(self, digest: str, suffix: str, data: bytes) -> Path:
        try:
            return self.store(digest, suffix, data)
        except OSError as e:
            if self._key is None or not is_persistent(self.subdir, root=self.root):
                raise
            _fall_back_after_error(self._key, (self.subdir,), e)
            return self.store(digest, suffix, data)

    def get_or_build(self, digest: str, suffix: str, build: Callable[[Path], None]) -> tuple[Path, bool]:
        """(path, hit). ``build(tmp_path)`` must write the artifact to ``tmp_path``."""
        p = self.lookup(digest, suffix)
        if p is not None:
            with STATS.lock:
                STATS.cache_hits += 1
            log("cache").debug("hit %s", p.name)
            return p, True
        with STATS.lock:
            STATS.cache_misses += 1
        try:
            tmp = tempfile.mkdtemp(dir=self.dir, prefix="build-")
        except OSError as e:
            if not self.persistent:
                raise
            tmp = tempfile.mkdtemp(dir=_fall_back_after_error(self._key, (self.subdir,), e), prefix="build-")
        try:
            out = Path(tmp) / f"artifact{suffix}"
            build(out)
            data = out.read_bytes()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log("cache").debug("miss %s: built %d bytes", digest[:12], len(data))
        return self._store_or_fall_back(digest, suffix, data), False
