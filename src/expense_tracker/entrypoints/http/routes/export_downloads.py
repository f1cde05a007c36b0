"""The local server's stand-in for S3's presigned GET of an export file (local backend only,
left out of the API's schema)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from ....adapters.local.exports import DOWNLOAD_PATH, LocalExportFiles
from ....domain.errors import NotFound
from ..deps import ContainerDep

router = APIRouter(include_in_schema=False)
CHUNK = 256 * 1024
TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "zip": "application/zip"}


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while block := handle.read(CHUNK):
            yield block
    finally:
        handle.close()


@router.get(DOWNLOAD_PATH + "/{token}")
def download(token: Annotated[str, Path(max_length=2048)], c: ContainerDep) -> StreamingResponse:
    """The file behind a signed link, as an attachment: 403 tampered or expired, 404 gone."""
    if not isinstance(c.exports, LocalExportFiles):
        raise NotFound("Not found")
    found = c.exports.open_download(token)
    try:  # opened now: a sweep from here on does not cut the answer short
        handle = found.path.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("The export is no longer available") from exc
    headers = {
        "Content-Length": str(os.fstat(handle.fileno()).st_size),
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    media = TYPES.get(found.filename.rsplit(".", 1)[-1], "application/octet-stream")
    return StreamingResponse(_chunks(handle), media_type=media, headers=headers)
