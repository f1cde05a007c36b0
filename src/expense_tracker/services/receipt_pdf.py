"""Active content in a PDF receipt, found with a real parser (pypdf): names are read as a
viewer reads them (`/J#61vaScript` is `/JavaScript`), objects inside object streams are
looked at, and text that merely looks like PDF syntax inside a string or a stream is not.

A receipt needs no scripts, no actions that open files, submit forms or run on their own, and
no attached files: any of them anywhere in the document refuses it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..domain.errors import FieldError, Invalid
from ..domain.receipts import PDF, not_a

# Keys whose mere presence means code, an automatic action or an attached file.
ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData",
     "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/OpenAction", "/AA", "/XFA", "/RichMedia"}
)  # fmt: skip
# Action types (/S) and object types (/Type) that do the same.
ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData",
     "/RichMediaExecute", "/EmbeddedFile", "/Rendition", "/Sound", "/Movie"}
)  # fmt: skip
MAX_OBJECTS = 200_000  # a receipt has dozens; far more is an attack on the checker
REFUSED = "PDF receipts must not contain scripts, actions or attachments"

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is refused, not logged


# Appended to a file without a usable `startxref`, so the parser rebuilds the cross-reference
# table by scanning every object, as viewers do with a damaged file.
REBUILD = b"\nstartxref\n0\n%%EOF\n"


def check_pdf_content(data: bytes) -> None:
    """Invalid when the PDF cannot be parsed, is encrypted, or holds active content."""
    try:
        _check(_reader(data))
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        raise not_a(PDF) from exc


def _reader(data: bytes) -> PdfReader:
    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except PyPdfError:
        return PdfReader(io.BytesIO(data + REBUILD), strict=False)


def _check(reader: PdfReader) -> None:
    if reader.is_encrypted and not reader.decrypt(""):
        raise Invalid(FieldError("file", "encrypted PDF receipts cannot be checked"))
    root = reader.trailer.get("/Root")
    if not isinstance(root.get_object() if root is not None else None, DictionaryObject):
        raise ValueError("no document catalog")
    if any(_is_active(node) for node in _every_node(reader)):
        raise Invalid(FieldError("file", REFUSED))


def _roots(reader: PdfReader) -> Iterator[Any]:
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield IndirectObject(number, generation, reader)
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader)


def _every_node(reader: PdfReader) -> Iterator[Any]:
    """Every dictionary, array and name reachable from the trailer or the cross-reference
    tables (each indirect object once), depth first without recursion."""
    seen: set[tuple[int, int]] = set()
    stack = list(_roots(reader))
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise ValueError("too many objects")
        yield node
        if isinstance(node, DictionaryObject):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _is_active(node: Any) -> bool:
    if isinstance(node, DictionaryObject):
        if any(key in ACTIVE_KEYS for key in node):
            return True
        kind = node.get("/S"), node.get("/Type"), node.get("/Subtype")
        return any(isinstance(k, NameObject) and k in ACTIVE_NAMES for k in kind)
    return False
