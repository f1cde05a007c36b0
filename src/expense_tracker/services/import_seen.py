"""What an import slice knows of the rows it read, kept so the next slice can start at a byte
offset instead of reading the file again from its start (which made long imports quadratic).

Only two things carry over: the id and bank keys of the rows read (a repeat in the file is a
duplicate) and how many rows had each content (nth_key numbers them; a content key is never
repeated). Each key is kept as its first 80 bits (the keys are sha-256 digests): 100k rows take
about 2 MB. The record is stored beside the upload when a slice stops, with the count of rows
it covers; a resume whose checkpoint does not match it (a crash after a progress report) reads
the file again from the start, as before."""

from __future__ import annotations

from collections import Counter

from ..domain.errors import NotFound
from ..ports import ReceiptStore

SHORT = 20  # hex digits kept of a key


def seen_key(upload: str) -> str:
    """Where the record lives: beside the uploaded statement."""
    return upload.rpartition("/")[0] + "/seen"


class SeenKeys:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.occurrences: Counter[str] = Counter()

    def first(self, key: str) -> bool:
        """Whether an id or bank key is new to this file (it is noted)."""
        short = key[:SHORT]
        if short in self.keys:
            return False
        self.keys.add(short)
        return True

    def nth(self, content: str) -> int:
        """How many rows of this content the file has had, this one included."""
        short = content[:SHORT]
        self.occurrences[short] += 1
        return self.occurrences[short]

    def dump(self, processed: int) -> bytes:
        lines = [f"rows {processed}"]
        lines += [f"k {key}" for key in self.keys]
        lines += [f"c {base} {n}" for base, n in self.occurrences.items()]
        return "\n".join(lines).encode("ascii")

    @classmethod
    def load(cls, data: bytes, processed: int) -> SeenKeys | None:
        """The record when it covers exactly `processed` rows, else None."""
        lines = data.decode("ascii").split("\n")
        if lines[0] != f"rows {processed}":
            return None
        seen = cls()
        for line in lines[1:]:
            kind, _, rest = line.partition(" ")
            if kind == "k":
                seen.keys.add(rest)
            else:
                base, _, count = rest.partition(" ")
                seen.occurrences[base] = int(count)
        return seen


def save_seen(receipts: ReceiptStore, upload: str, seen: SeenKeys, processed: int) -> None:
    receipts.write(seen_key(upload), seen.dump(processed), "text/plain")


def load_seen(receipts: ReceiptStore, upload: str, processed: int) -> SeenKeys | None:
    try:
        with receipts.open_stream(seen_key(upload)) as stream:
            data = stream.read()
    except NotFound:
        return None
    return SeenKeys.load(data, processed)
