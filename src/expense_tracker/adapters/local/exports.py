"""Export files on the local disk, fetched through the server's own short-lived signed links
(the same scheme as receipt view links, with a key of its own).

Layout under `root`: users/<user>/exports/<job>.<ext> (finished files) and tmp/ (files being
written).
Nothing is served by path: a file is reachable only through a signed, expiring link."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from ...domain.errors import FieldError, Invalid, NotFound
from ...ports import Clock
from ...ports.exports import DOWNLOAD_SECONDS
from ..common.clock import SystemClock
from .signed_links import LinkSigner
from .upload import remove_quietly

DOWNLOAD_PATH = "/api/_local/exports/download"
_USER = re.compile(r"[A-Za-z0-9_-]{1,128}")
_KEY = re.compile(r"users/[A-Za-z0-9_-]{1,128}/exports/[A-Za-z0-9]{1,64}\.(?:csv|json|zip)")
_FILENAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str


class LocalExportFiles:
    def __init__(
        self, root: Path, secret: bytes, public_url: str, *, clock: Clock | None = None
    ) -> None:
        self._root, self._tmp = root, root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A key of its own: a download link never passes for a receipt link, nor the reverse.
        self._links = LinkSigner(secret, b"export download link", clock or SystemClock())
        self._base_url = public_url.rstrip("/")

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise Invalid(FieldError("key", "is not a valid export key"))
        return self._root / key

    @contextmanager
    def create(self, key: str, content_type: str) -> Iterator[BinaryIO]:  # noqa: ARG002
        final = self._path(key)
        fd, name = tempfile.mkstemp(dir=self._tmp)  # mode 0600
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(temporary, final)  # readers see no file or the whole one
        finally:
            remove_quietly(temporary)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def download_url(self, key: str, filename: str) -> str:
        self._path(key)
        if not _FILENAME.fullmatch(filename):
            raise Invalid(FieldError("filename", "is not a safe file name"))
        token = self._links.token({"k": key, "n": filename}, DOWNLOAD_SECONDS)
        return f"{self._base_url}{DOWNLOAD_PATH}/{token}"

    def open_download(self, token: str) -> Download:
        """The file a link points to: Forbidden when tampered or expired, NotFound when the
        file is gone (expired and swept)."""
        claims = self._links.claims(token)
        path = self._path(claims["k"])
        if not path.is_file():
            raise NotFound("The export is no longer available")
        return Download(path, claims["n"])

    def forget_user(self, user_id: str) -> None:
        folder = self._root / "users" / user_id / "exports"
        if not _USER.fullmatch(user_id) or not folder.is_dir():
            return
        for path in folder.iterdir():
            path.unlink(missing_ok=True)

    def sweep(self, older_than: datetime) -> int:
        cutoff = older_than.timestamp()
        removed = 0
        for path in [*self._root.glob("users/*/exports/*"), *self._tmp.iterdir()]:
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:  # gone already
                continue
        return removed
