"""The local server's stand-ins for S3: the presigned-POST upload target and the signed view
link. Registered with the local backend only, and left out of the API's schema.

The upload is parsed as it streams: the policy is checked when the `file` part begins (every
field before it, as S3 requires), and the size limit while its bytes arrive, so a refused
upload is never read, let alone buffered, in full."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, BinaryIO

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import StreamingResponse
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ....adapters.local.files import UPLOAD_PATH, VIEW_PATH, LocalReceiptStore
from ....adapters.local.upload import LocalUpload
from ....domain.errors import BadRequest, NotFound
from ....domain.imports import MAX_IMPORT_BYTES
from ....domain.receipts import ALLOWED_TYPES, EXTENSIONS, MAX_RECEIPT_BYTES
from ..deps import ContainerDep

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

router = APIRouter(include_in_schema=False)

MAX_FIELDS = 32
MAX_FIELD_BYTES = 16 * 1024  # the policy is the longest field, about 1 KiB
# The largest file any ticket allows (a statement; a receipt's ticket allows 10 MiB and the
# signed policy's content-length-range refuses more while it streams), fields, framing.
UPLOAD_BODY_LIMIT = max(MAX_RECEIPT_BYTES, MAX_IMPORT_BYTES) + MAX_FIELDS * MAX_FIELD_BYTES
CHUNK = 64 * 1024
VIEW_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, no-store",
}


def local_store(c: ContainerDep) -> LocalReceiptStore:
    if not isinstance(c.receipts, LocalReceiptStore):
        raise NotFound("Not found")
    return c.receipts


class UploadForm:
    """Callbacks for python-multipart's streaming parser: small fields are collected, and
    the `file` part goes straight to a LocalUpload, which the store opens only for a form
    its policy allows."""

    def __init__(self, store: LocalReceiptStore) -> None:
        self.store = store
        self.fields: dict[str, str] = {}
        self.upload: LocalUpload | None = None
        self.done = False
        self._headers: dict[bytes, bytes] = {}
        self._header: list[bytes] = [b"", b""]
        self._name: str | None = None
        self._value = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._add_header(0, data[start:end]),
            "on_header_value": lambda data, start, end: self._add_header(1, data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._value = {}, None, bytearray()

    def _add_header(self, index: int, data: bytes) -> None:
        self._header[index] += data

    def _header_end(self) -> None:
        self._headers[self._header[0].strip().lower()] = self._header[1].strip()
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        kind, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name")
        if kind != b"form-data" or name is None:
            raise BadRequest("Every part needs a Content-Disposition with a name")
        self._name = name.decode("utf-8", "replace")
        if self._name == "file":  # S3 reads fields only up to the file
            self.upload = self.store.begin_upload(self.fields)
        elif len(self.fields) >= MAX_FIELDS or self._name.lower() in self.fields:
            raise BadRequest("Too many or repeated form fields")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.upload is not None:
            self.upload.write(data[start:end])
        elif len(self._value) + end - start > MAX_FIELD_BYTES:
            raise BadRequest(f"A form field may hold at most {MAX_FIELD_BYTES} bytes")
        else:
            self._value += data[start:end]

    def _part_end(self) -> None:
        if self.upload is not None:
            self.done = True
        elif self._name is not None:
            try:
                self.fields[self._name.lower()] = self._value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadRequest("Form fields must be UTF-8 text") from exc


def _boundary(content_type: str) -> bytes:
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadRequest("Send the upload as multipart/form-data")
    return boundary


@router.post(UPLOAD_PATH, status_code=status.HTTP_204_NO_CONTENT)
async def upload(request: Request, c: ContainerDep) -> Response:
    """S3's presigned-POST semantics: 204 when stored, 403 for a policy that does not allow
    the form, 400 for a file outside the size range or a malformed form."""
    form = UploadForm(local_store(c))
    try:
        parser = MultipartParser(
            _boundary(request.headers.get("content-type", "")), form.callbacks()
        )
    except FormParserError as exc:  # such as a boundary over 256 bytes
        raise BadRequest("The multipart boundary is not valid") from exc
    try:
        async for chunk in request.stream():
            # Checking the policy and writing to disk block: in a worker thread.
            await run_in_threadpool(parser.write, chunk)
            if form.done:
                break  # what follows the file is ignored, as S3 does
        if form.upload is None or not form.done:
            raise BadRequest("The form has no complete `file` part")
        await run_in_threadpool(form.upload.commit)  # fsync and rename: off the event loop
    except FormParserError as exc:
        raise BadRequest("The multipart body is malformed") from exc
    finally:
        if form.upload is not None and not form.upload.committed:
            form.upload.abort()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while block := handle.read(CHUNK):
            yield block
    finally:
        handle.close()


@router.get(VIEW_PATH + "/{token}")
def view(token: Annotated[str, Path(max_length=2048)], c: ContainerDep) -> StreamingResponse:
    """The file behind a signed link, as the type it was checked to be, never sniffed."""
    found = local_store(c).open_view(token)
    try:  # opened now: a delete from here on does not cut the answer short
        handle = found.path.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("No such receipt") from exc
    inline = found.content_type in ALLOWED_TYPES
    name = f"receipt.{EXTENSIONS.get(found.content_type, 'bin')}"
    headers = {
        **VIEW_HEADERS,
        "Content-Length": str(os.fstat(handle.fileno()).st_size),
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
    }
    return StreamingResponse(_chunks(handle), media_type=found.content_type, headers=headers)
