"""A file a caller names by its path, read and backed up without leaving the project.

The project's directories are where its status file lives and its git repository; a caller
(an MCP client, not the server's user) may name a file in them, and nothing else: not a file
elsewhere, not a link (the link's target could be anywhere), not a device or a pipe. Every
refusal is the same `OutsideProject`, so a refusal says nothing about what lies outside
(whether a path exists, whether it is text).

The file is opened one path component at a time from the project directory, none of them
followed if it is a symbolic link (O_NOFOLLOW), so a link swapped in after the check cannot
lead the read elsewhere. Its backup is a new file: written under a temporary name in the same
directory, then renamed over `<name>.backup`, which replaces a link of that name rather than
writing through it, and changes no other file's content or mode.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

BACKUP_SUFFIX = ".backup"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a pipe would otherwise wait for a writer; it is refused as not regular.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class OutsideProject(Exception):
    """The path names no regular file inside the project's directories."""


class TooLarge(Exception):
    """The file is larger than the caller allows."""


@dataclass(frozen=True)
class ProjectFile:
    path: Path  # where it is, every link resolved
    content: bytes
    mode: int  # its permission bits
    directory: Path


def read_project_file(path: str, roots: Sequence[str | Path], max_bytes: int) -> ProjectFile:
    """The regular file at `path` (relative to the working directory, or absolute), if it lies
    inside one of `roots`; at most `max_bytes` of it, else TooLarge."""
    resolved = Path(os.path.realpath(path))
    for root in roots:
        base = Path(os.path.realpath(root))
        if resolved != base and resolved.is_relative_to(base):
            return _read_below(base, resolved.relative_to(base).parts, max_bytes)
    raise OutsideProject(path)


def _read_below(base: Path, parts: tuple[str, ...], max_bytes: int) -> ProjectFile:
    fd = _open_directory(base, parts[:-1])
    try:
        try:
            file_fd = os.open(parts[-1], _FILE, dir_fd=fd)
        except OSError as exc:  # missing, a link, unreadable: all the same to the caller
            raise OutsideProject(parts[-1]) from exc
        info = os.fstat(file_fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(file_fd)
            raise OutsideProject(parts[-1])
        with os.fdopen(file_fd, "rb") as file:
            if info.st_size > max_bytes:
                raise TooLarge(parts[-1])
            content = file.read(max_bytes + 1)
        if len(content) > max_bytes:  # it grew meanwhile
            raise TooLarge(parts[-1])
    finally:
        os.close(fd)
    directory = base.joinpath(*parts[:-1])
    return ProjectFile(directory / parts[-1], content, stat.S_IMODE(info.st_mode), directory)


def _open_directory(base: Path, parts: Sequence[str]) -> int:
    """A descriptor of the directory `parts` below `base`, no link followed on the way."""
    try:
        fd = os.open(base, _DIRECTORY)
    except OSError as exc:
        raise OutsideProject(str(base)) from exc
    for part in parts:
        try:
            inner = os.open(part, _DIRECTORY, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            raise OutsideProject(part) from exc
        os.close(fd)
        fd = inner
    return fd


def write_backup(file: ProjectFile) -> Path:
    """Writes `file`'s content, with its mode, as the new file `<name>.backup` beside it (see the
    module's docstring). OSError if it cannot (a directory of that name, a full disk)."""
    name = file.path.name + BACKUP_SUFFIX
    fd = _open_directory(file.directory, ())
    temporary = f".{file.path.name}.{secrets.token_hex(6)}.tmp"
    try:
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as backup:
                backup.write(file.content)
                backup.flush()
                os.fchmod(backup.fileno(), file.mode)
                os.fsync(backup.fileno())
            os.rename(temporary, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=fd)
            raise
        os.fsync(fd)
    finally:
        os.close(fd)
    return file.directory / name
