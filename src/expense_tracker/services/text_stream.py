"""Text produced piece by piece, written in blocks: one write per ~64 KiB instead of per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

BLOCK_CHARS = 64 * 1024


def batched(pieces: Iterable[str], block: int = BLOCK_CHARS) -> Iterator[bytes]:
    """UTF-8 blocks of about `block` characters; memory holds one block, never the whole."""
    parts: list[str] = []
    size = 0
    for piece in pieces:
        parts.append(piece)
        size += len(piece)
        if size >= block:
            yield "".join(parts).encode()
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode()
