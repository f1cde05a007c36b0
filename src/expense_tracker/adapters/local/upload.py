"""Atomic files for the local receipt store: write to a temporary file, fsync, rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ...domain.errors import StorageError
from ..common.upload_policy import LengthRange, check_length

TYPE_SUFFIX = ".type"  # objects/<key>.type holds the object's content type


def type_note(path: Path) -> Path:
    return path.with_name(path.name + TYPE_SUFFIX)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: the directory entry is data too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move_into_place(temporary: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.replace(temporary, final)
    _fsync_dir(final.parent)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def atomic_write(tmp_dir: Path, final: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a part."""
    fd, name = tempfile.mkstemp(dir=tmp_dir)  # mode 0600
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _move_into_place(temporary, final)
    except BaseException:
        remove_quietly(temporary)
        raise


class LocalUpload:
    """One upload streaming into a temporary file; `commit` moves it into place. The size
    range is enforced chunk by chunk, so an oversized file is refused before it is all read."""

    def __init__(self, tmp_dir: Path, final: Path, content_type: str, limits: LengthRange) -> None:
        self.final, self.content_type, self.limits, self.size = final, content_type, limits, 0
        self.committed = False
        self._tmp_dir = tmp_dir
        fd, name = tempfile.mkstemp(dir=tmp_dir)
        self._temporary = Path(name)
        self._handle = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limits.maximum:
            check_length(self.limits, self.size)  # raises EntityTooLarge
        with disk_errors("store the upload"):
            self._handle.write(chunk)

    def commit(self) -> None:
        """Finish: the size is in range, the bytes are on disk, then the file appears."""
        try:
            check_length(self.limits, self.size)
            with disk_errors("store the upload"):
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                atomic_write(self._tmp_dir, type_note(self.final), self.content_type.encode())
                _move_into_place(self._temporary, self.final)
            self.committed = True
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # closing flushes, which fails on a full disk
            self._handle.close()
        remove_quietly(self._temporary)


@contextlib.contextmanager
def disk_errors(action: str) -> Iterator[None]:
    """A full disk or a failing one is the service's trouble (503), not the client's."""
    try:
        yield
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise StorageError(f"could not {action}: {'the disk is full' if full else exc}") from exc
