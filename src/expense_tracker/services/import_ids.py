"""The ids of the expenses an import job makes: the same for a row on every run of the job."""

from __future__ import annotations

import hashlib

from ulid import ULID

from ..ports.jobs import Job


class RowIds:
    """Expense ids made from the job and the row's place in the file, so a rerun of the job
    gives a row the id it had before (a store may write it again harmlessly). Still ULIDs:
    the job's time, 60 bits hashed from the job's id (and the block of rows), then the row's
    number as 4 letters: far cheaper than a random ULID per row."""

    def __init__(self, job: Job) -> None:
        self._job_id = job.id
        self._time = str(ULID.from_datetime(job.created_at))[:10]
        self._block, self._prefix = -1, ""

    def of(self, position: int) -> str:
        block, number = divmod(position, _SPAN)
        if block != self._block:
            seed = hashlib.sha256(f"{self._job_id}#{block}".encode()).digest()
            bits = int.from_bytes(seed[:8], "big") >> 4  # 60 bits: 12 letters
            letters = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
            self._block, self._prefix = block, self._time + letters
        return self._prefix + _PAIRS[number >> 10] + _PAIRS[number & 1023]


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 1024 two-letter digits
_SPAN = 32**4


def our_id(text: str) -> bool:
    """An id this app could have made (a ULID's 26 letters and digits)."""
    return len(text) == 26 and text.isascii() and text.isalnum()
