"""Checking an evidence pack without the app: every file's size and SHA-256 against the
manifest, no file the manifest does not list, and a receipt for every expense that has one.

Reads the zip entry by entry in blocks, so a pack of any size is checked in constant memory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .evidence_pack import MANIFEST, PACK_FORMAT

REQUIRED = ("expenses.csv", "expenses.json", "rates.csv")
BLOCK = 1024 * 1024


@dataclass
class PackReport:
    files_checked: int = 0
    expenses: int = 0
    receipts_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(path: Path) -> PackReport:
    report = PackReport()
    try:
        with zipfile.ZipFile(path) as pack:
            _verify(pack, report)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        report.problems.append(f"not a readable zip file: {exc}")
    return report


def _verify(pack: zipfile.ZipFile, report: PackReport) -> None:
    manifest = _manifest(pack, report)
    if manifest is None:
        return
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        listed[str(entry.get("path"))] = entry
        _check_file(pack, entry, report)
    names = set(pack.namelist())
    for name in sorted(names - set(listed) - {MANIFEST}):
        report.problems.append(f"{name}: in the pack but not in the manifest")
    for name in REQUIRED:
        if name not in listed:
            report.problems.append(f"{name}: missing from the manifest")
    for expense_id in manifest.get("missing_receipts", []):
        report.problems.append(f"expense {expense_id}: its receipt was missing when packed")
    if "expenses.csv" in names:
        _check_receipts(pack, names, report)


def _manifest(pack: zipfile.ZipFile, report: PackReport) -> dict[str, Any] | None:
    try:
        manifest = json.loads(pack.read(MANIFEST))
    except KeyError:
        report.problems.append(f"{MANIFEST}: missing")
        return None
    except (ValueError, zipfile.BadZipFile) as exc:
        report.problems.append(f"{MANIFEST}: unreadable ({exc})")
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != PACK_FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        report.problems.append(f"{MANIFEST}: not an evidence pack manifest")
        return None
    checked: dict[str, Any] = manifest
    return checked


def _check_file(pack: zipfile.ZipFile, entry: dict[str, Any], report: PackReport) -> None:
    name = str(entry.get("path"))
    digest, size = hashlib.sha256(), 0
    try:
        with pack.open(name) as handle:
            while block := handle.read(BLOCK):
                digest.update(block)
                size += len(block)
    except KeyError:
        report.problems.append(f"{name}: listed in the manifest but not in the pack")
        return
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a CRC error, a cut-off entry
        report.problems.append(f"{name}: unreadable ({exc})")
        return
    report.files_checked += 1
    if size != entry.get("size"):
        report.problems.append(f"{name}: {size} bytes, the manifest says {entry.get('size')}")
    if digest.hexdigest() != entry.get("sha256"):
        report.problems.append(f"{name}: SHA-256 differs from the manifest")


def _check_receipts(pack: zipfile.ZipFile, names: set[str], report: PackReport) -> None:
    """Every row whose `receipt` column is true has receipts/<id>.<ext>."""
    receipts = {
        name.split("/", 1)[1].rsplit(".", 1)[0] for name in names if name.startswith("receipts/")
    }
    try:
        with pack.open("expenses.csv") as raw:
            rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            for row in rows:
                report.expenses += 1
                if row.get("receipt") != "true":
                    continue
                if row.get("id") in receipts:
                    report.receipts_checked += 1
                else:
                    report.problems.append(
                        f"expense {row.get('id')}: its receipt is not in the pack"
                    )
    except (zipfile.BadZipFile, OSError, EOFError, csv.Error, UnicodeDecodeError) as exc:
        report.problems.append(f"expenses.csv: unreadable ({exc})")
