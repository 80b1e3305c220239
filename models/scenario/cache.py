"""Generated presets kept on disk, so that the second start does not generate again.

A generated preset (one with a [generate] recipe) takes from half a second
(kelley-50m) to several (vineeth-6g) to build, and is the same every time: the same
recipe text through the same code gives the same scenario.  So it is stored once,
under a key made of exactly those two things: a digest of the preset's text and of
every module under `models/` (any change to the code that builds scenarios, or to
the classes they are made of, makes a new key; stale files are simply never read
again).  Python's version and attrs's pickling code are part of the key too.

The file is a pickle of the `Scenario`, read back by an unpickler that only builds
this package's own classes, tuples and arrays (nothing else can be named in it),
after its length and SHA-256 are checked: a truncated, corrupted or foreign file is
ignored and the preset generated again.  The directory must be the user's own and
not writable by others.  Writing is best-effort and atomic (a temporary file renamed
into place): a read-only or full disk only costs the regeneration.

Which directory: `$SWAPTUI_CACHE_DIR` if set (empty: no cache), else the one the
program configures (`use_directory`: swaptui passes the platform's user cache
directory); models used as a library cache nothing unless told.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs

from models.scenario_model import Scenario

ENV_DIR = "SWAPTUI_CACHE_DIR"
MAGIC = b"swaptui-preset-cache/1\n"
_MODELS = Path(__file__).resolve().parents[1]

_directory: Path | None = None
_code_digest: str | None = None
_runtime_digest: str | None = None


def use_directory(path: str | os.PathLike[str] | None) -> None:
    """Where generated presets are kept (None: nowhere); $SWAPTUI_CACHE_DIR wins."""
    global _directory
    _directory = Path(path) if path is not None else None


def directory() -> Path | None:
    override = os.environ.get(ENV_DIR)
    if override is not None:
        return Path(override) if override else None
    return _directory


def _code() -> str:
    """A digest of every module under models/: the code a cached scenario came from."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256()
        for path in sorted(_MODELS.rglob("*.py")):
            h.update(str(path.relative_to(_MODELS)).encode())
            h.update(path.read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def _runtime() -> str:
    """What else decides how a pickle reads back: Python's version and the attrs code
    that writes and reads the classes' state (its module, hashed: asking attrs for its
    version goes through importlib.metadata, tens of ms on the way to the first paint)."""
    global _runtime_digest
    if _runtime_digest is None:
        # attrs's classes and their pickling live in one module (attr._make)
        make = sys.modules[attrs.Attribute.__module__].__file__
        h = hashlib.sha256(Path(make).read_bytes() if make else b"")
        _runtime_digest = (
            f"python {sys.version_info[0]}.{sys.version_info[1]}, attrs {h.hexdigest()}"
        )
    return _runtime_digest


def key(name: str, text: str) -> str:
    h = hashlib.sha256()
    for part in (name, text, _code(), _runtime()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _path(name: str, text: str) -> Path | None:
    d = directory()
    if d is None:
        return None
    return d / f"{name}-{key(name, text)}.pickle"


def _safe_dir(d: Path) -> bool:
    """Ours to read from: a real directory of this user, not writable by others."""
    try:
        info = os.lstat(d)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


class _Unpickler(pickle.Unpickler):
    """Builds only this package's classes, tuples and arrays."""

    ALLOWED = frozenset(
        {
            ("array", "_array_reconstructor"),
            ("array", "array"),
            ("copyreg", "__newobj__"),
            ("copyreg", "_reconstructor"),
            ("builtins", "object"),
            ("builtins", "frozenset"),
            ("builtins", "set"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED or module == "models" or module.startswith("models."):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a preset cache")


def load(name: str, text: str) -> Scenario | None:
    """The cached scenario of preset `name` with source `text`, or None."""
    path = _path(name, text)
    if path is None or not _safe_dir(path.parent):
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if len(data) < head or not data.startswith(MAGIC):
        return None
    digest, body = data[len(MAGIC) : head], data[head:]
    if hashlib.sha256(body).digest() != digest:
        return None
    try:
        scenario = _Unpickler(io.BytesIO(body)).load()
    except Exception:  # any unreadable file is only a cache miss
        return None
    return scenario if isinstance(scenario, Scenario) else None


def store(name: str, text: str, scenario: Scenario) -> None:
    """Keep `scenario` for the next load (silently nothing if it cannot be written)."""
    path = _path(name, text)
    if path is None:
        return
    body = pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
    data = MAGIC + hashlib.sha256(body).digest() + body
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _safe_dir(path.parent):
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
