"""The export-files port: where a finished export waits for its download.

An export is written once, as a stream, then fetched through a short-lived signed link.
Locally the files live under the data directory and the link is the server's own signed
URL; on AWS each file is an S3 multipart upload and the link a presigned GET. Files expire
after EXPORT_RETENTION (locally `gc` and each new export sweep them; on S3 a lifecycle rule)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import BinaryIO, Protocol

EXPORT_RETENTION = timedelta(hours=24)
DOWNLOAD_SECONDS = 300  # a download link's lifetime (the contract: five minutes)


class ExportFiles(Protocol):
    def create(self, key: str, content_type: str) -> AbstractContextManager[BinaryIO]:
        """A write-only, forward-only stream (no seek, no tell). The file appears under `key`
        only when the block ends without an error; a failed write leaves nothing behind, and
        writing the same key again replaces it whole (a retried job)."""
        ...

    def download_url(self, key: str, filename: str) -> str:
        """A link valid DOWNLOAD_SECONDS that downloads the file as `filename`."""
        ...

    def exists(self, key: str) -> bool: ...

    def sweep(self, older_than: datetime) -> int:
        """Remove export files written before `older_than`; how many went."""
        ...

    def forget_user(self, user_id: str) -> None:
        """Remove every export file of the user (the account is being deleted)."""
        ...
