"""The file store: original bytes kept once, named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from app.config import get_settings


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(digest: str, root: Path | None = None) -> Path:
    root = root or get_settings().file_store
    return root / digest[:2] / digest[2:4] / digest


def keep(data: bytes, digest: str) -> Path:
    """Write the bytes once; an existing file with that digest is left as it is."""
    target = path_for(digest)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read(digest: str) -> bytes:
    return path_for(digest).read_bytes()
