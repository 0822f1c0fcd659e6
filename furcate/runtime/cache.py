"""The on-disk compile cache (``FURCATE_CACHE_DIR`` or ``~/.cache/furcate``).

An entry is a file named by the SHA-256 of its key (kernel source, compiler,
flags, furcate version, ...), written to a temporary file and published with
``os.replace`` so concurrent writers never expose a partial file. Next to it
sits ``<name>.sha256``, the digest of the entry's bytes: a truncated or
corrupt entry fails the check, is deleted and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from furcate.diagnostics import STATS, log


def cache_dir() -> Path:
    root = os.environ.get("FURCATE_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "furcate")
    return Path(root)


def key_digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
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


class DiskCache:
    """Files keyed by content; ``get_or_build`` returns a verified path, building on a miss."""

    def __init__(self, subdir: str, root: Path | None = None):
        self.dir = (root or cache_dir()) / subdir

    def path(self, digest: str, suffix: str) -> Path:
        return self.dir / f"{digest}{suffix}"

    def lookup(self, digest: str, suffix: str) -> Path | None:
        """The entry's path if present and intact; a corrupt entry is removed."""
        p = self.path(digest, suffix)
        sig = p.with_name(p.name + ".sha256")
        try:
            data = p.read_bytes()
            want = sig.read_text().strip()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != want:
            log("cache").warning("cache entry %s is corrupt (hash mismatch); rebuilding", p)
            for q in (p, sig):
                try:
                    q.unlink()
                except OSError:
                    pass
            return None
        return p

    def store(self, digest: str, suffix: str, data: bytes) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        p = self.path(digest, suffix)
        _atomic_write(p, data)
        _atomic_write(p.with_name(p.name + ".sha256"), hashlib.sha256(data).hexdigest().encode())
        return p

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
        self.dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.dir, prefix="build-") as tmp:
            out = Path(tmp) / f"artifact{suffix}"
            build(out)
            data = out.read_bytes()
        log("cache").debug("miss %s: built %d bytes", digest[:12], len(data))
        return self.store(digest, suffix, data), False
