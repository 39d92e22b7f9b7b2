"""Writing the status file so that no reader ever sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from statusboard.domain.cancellation import CancelToken


def write_atomically(path: Path, text: str, cancel: CancelToken | None = None) -> Path:
    """Writes `text` to a temporary file beside `path`, syncs it, then renames it over `path`.

    A rename within one directory replaces the file in one step: readers see the old file
    or the new one. A cancellation before the rename leaves the old file untouched.
    """
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        temp.chmod(mode)
        if cancel is not None:
            cancel.raise_if_cancelled()
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _sync_directory(path.parent)
    return path


def _sync_directory(directory: Path) -> None:
    """Makes the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
