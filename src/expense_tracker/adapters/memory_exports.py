"""Export files in memory: the fake unit tests and the OpenAPI spec's container run on."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import BinaryIO

from ..ports import Clock


class MemoryExportFiles:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.files: dict[str, tuple[bytes, datetime]] = {}

    @contextmanager
    def create(self, key: str, content_type: str) -> Iterator[BinaryIO]:  # noqa: ARG002
        buffer = io.BytesIO()
        yield buffer
        self.files[key] = (buffer.getvalue(), self._clock.now())  # only on success

    def exists(self, key: str) -> bool:
        return key in self.files

    def download_url(self, key: str, filename: str) -> str:
        return f"memory://{key}?filename={filename}"

    def forget_user(self, user_id: str) -> None:
        for key in [k for k in self.files if k.startswith(f"users/{user_id}/")]:
            del self.files[key]

    def sweep(self, older_than: datetime) -> int:
        old = [key for key, (_, written) in self.files.items() if written < older_than]
        for key in old:
            del self.files[key]
        return len(old)
