"""Receipts on the local disk, with S3's semantics: presigned-POST upload tickets that the local
upload target enforces, and short-lived signed view links.

Layout under `root`: objects/<key> (the bytes) with objects/<key>.type (the content type),
tmp/ (uploads being written), tickets/<id> (used tickets, kept across restarts). Nothing here
is served by path: a file is reachable only through a signed link."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from ...domain.errors import FieldError, Forbidden, Invalid, NotFound
from ...domain.receipts import HEAD_BYTES, TICKET_SECONDS, VIEW_SECONDS
from ...ports import Clock, ObjectInfo, StoredObject, UploadTicket
from ..common.clock import SystemClock
from ..common.upload_policy import (
    POLICY,
    SIGNATURE,
    check_form,
    decode_policy,
    encode_policy,
    policy_document,
    sign_policy,
    signature_matches,
    upload_conditions,
)
from .signed_links import LinkSigner
from .upload import TYPE_SUFFIX, LocalUpload, atomic_write, remove_quietly, type_note

UPLOAD_PATH = "/api/_local/receipts/upload"
VIEW_PATH = "/api/_local/receipts/view"
TICKET_FIELD = "x-amz-meta-ticket"  # a random id in the signed policy: each ticket works once
_KEY = re.compile(r"[A-Za-z0-9_-]{1,128}(?:/[A-Za-z0-9_-]{1,128}){0,7}")
_TICKET_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class ViewedFile:
    path: Path
    content_type: str


class LocalReceiptStore:
    def __init__(
        self, root: Path, secret: bytes, public_url: str, *, clock: Clock | None = None
    ) -> None:
        self._objects, self._tmp, self._tickets = root / "objects", root / "tmp", root / "tickets"
        for directory in (self._objects, self._tmp, self._tickets):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # One key per purpose, so a view link can never pass for an upload policy (or a cursor).
        self._upload_key = hmac.new(secret, b"receipt upload policy", hashlib.sha256).digest()
        self._clock = clock or SystemClock()
        self._view_links = LinkSigner(secret, b"receipt view link", self._clock)
        self._base_url = public_url.rstrip("/")

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise Invalid(FieldError("key", "is not a valid receipt key"))
        return self._objects / key

    # -- uploads ---------------------------------------------------------------------------

    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket:
        self._path(key)
        ticket = secrets.token_urlsafe(18)
        conditions = upload_conditions(
            key=key, content_type=content_type, max_bytes=max_bytes, extra={TICKET_FIELD: ticket}
        )
        expires_at = self._clock.now() + timedelta(seconds=TICKET_SECONDS)
        policy = encode_policy(policy_document(conditions, expires_at))
        fields = {
            "key": key,
            "Content-Type": content_type,
            TICKET_FIELD: ticket,
            POLICY: policy,
            SIGNATURE: sign_policy(policy, self._upload_key),
        }
        return UploadTicket(self._base_url + UPLOAD_PATH, fields, TICKET_SECONDS, max_bytes)

    def begin_upload(self, fields: Mapping[str, str]) -> LocalUpload:
        """Check a form's policy before any of its file is read, and use up its ticket."""
        form = {name.lower(): value for name, value in fields.items()}
        policy, signature = form.get(POLICY), form.get(SIGNATURE)
        if (
            not policy
            or not signature
            or not signature_matches(policy, signature, self._upload_key)
        ):
            raise Forbidden("The request signature does not match the policy")
        limits = check_form(decode_policy(policy), form, self._clock.now())
        ticket = form.get(TICKET_FIELD, "")
        if not _TICKET_ID.fullmatch(ticket):
            raise Forbidden("The policy names no ticket")
        final = self._path(form["key"])  # check_form proved it is the signed key
        self._use_ticket(ticket)
        return LocalUpload(self._tmp, final, form["content-type"], limits)

    def _use_ticket(self, ticket: str) -> None:
        """O_EXCL makes the first use win, across workers and restarts."""
        try:
            fd = os.open(self._tickets / ticket, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise Forbidden("This upload ticket was already used") from exc
        os.close(fd)

    # -- objects ---------------------------------------------------------------------------

    def inspect(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
                size = os.fstat(handle.fileno()).st_size
        except FileNotFoundError:
            return None
        return StoredObject(size, head, self._content_type(path))

    def _content_type(self, path: Path) -> str | None:
        try:
            return type_note(path).read_text("ascii").strip() or None
        except FileNotFoundError:
            return None

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("No such receipt") from exc

    def open_stream(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise NotFound("No such receipt") from exc

    def write(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        atomic_write(self._tmp, type_note(path), content_type.encode())
        atomic_write(self._tmp, path, data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        remove_quietly(path)
        remove_quietly(type_note(path))

    # -- view links ------------------------------------------------------------------------

    def view_url(self, key: str, content_type: str) -> str:
        self._path(key)
        token = self._view_links.token({"k": key, "t": content_type}, VIEW_SECONDS)
        return f"{self._base_url}{VIEW_PATH}/{token}"

    def open_view(self, token: str) -> ViewedFile:
        """The file a view link points to; Forbidden when the link is tampered or expired."""
        claims = self._view_links.claims(token)
        path = self._path(claims["k"])
        if not path.is_file():
            raise NotFound("No such receipt")
        return ViewedFile(path, claims["t"])

    # -- garbage collection ----------------------------------------------------------------

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with `prefix`; a prefix ending in "/" walks only that
        folder (one user's files for the storage quota, not everyone's)."""
        folder, _, _ = prefix.rpartition("/")
        if folder and not _KEY.fullmatch(folder):
            return
        for directory, _, names in os.walk(self._objects / folder):
            for name in names:
                if "." in name:  # a content-type note, not an object
                    continue
                path = Path(directory, name)
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                key = path.relative_to(self._objects).as_posix()
                if key.startswith(prefix):
                    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                    yield ObjectInfo(key, stat.st_size, modified)

    def sweep_scratch(self, older_than: datetime) -> int:
        """Remove what interrupted work left behind: temporary files, used tickets (expired by
        now), content-type notes without an object, and empty folders."""
        cutoff = older_than.timestamp()
        removed = 0
        for directory in (self._tmp, self._tickets):
            for path in directory.iterdir():
                removed += _remove_if_old(path, cutoff)
        for note in self._objects.rglob("*" + TYPE_SUFFIX):
            if not note.with_name(note.name.removesuffix(TYPE_SUFFIX)).exists():
                removed += _remove_if_old(note, cutoff)
        # Deepest first, so a folder emptied of empty folders goes too (on a later run: its
        # modification time was just renewed).
        for walked, _, _ in sorted(os.walk(self._objects), reverse=True):
            folder = Path(walked)
            if folder != self._objects and not any(folder.iterdir()):
                _remove_if_old(folder, cutoff)
        return removed


def _remove_if_old(path: Path, cutoff: float) -> int:
    try:
        if path.stat().st_mtime >= cutoff:
            return 0
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()
    except OSError:  # gone already, or a folder that is in use again
        return 0
    return 1
