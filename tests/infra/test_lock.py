"""The hashed requirement files match pyproject.toml's dependency groups (scripts/lock.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts import lock

from tests.infra import cfn


def _pins(name: str) -> dict[str, str]:
    text = lock.profile_file(name).read_text(encoding="utf-8")
    return {
        line.split("==")[0].lower(): line.split("==")[1].split()[0]
        for line in text.splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }


def test_the_committed_lock_files_match_pyproject() -> None:
    assert lock.stale_profiles() == []


def test_a_changed_dependency_makes_every_lock_file_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = (cfn.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"fastapi>=', '"fastapi>=0.1,!=0.0.1,>='), encoding="utf-8")
    original = lock.inputs_digest
    monkeypatch.setattr(lock, "inputs_digest", lambda: original(pyproject))
    assert sorted(lock.stale_profiles()) == [
        "requirements/dev.txt", "requirements/lambda.txt", "requirements/local.txt",
    ]  # fmt: skip


def test_every_locked_requirement_is_hashed() -> None:
    for name in lock.PROFILES:
        text = lock.profile_file(name).read_text(encoding="utf-8")
        for entry in text.split("\n")[1:]:
            if "==" in entry and not entry.startswith((" ", "#")):
                assert entry.rstrip().endswith("\\"), f"{name}: {entry} has no hash"


def test_the_smaller_profiles_use_the_dev_profiles_versions() -> None:
    dev = _pins("dev")
    for name in ("local", "lambda"):
        assert _pins(name).items() <= dev.items(), name


def test_checking_the_lock_needs_no_uv_and_no_network() -> None:
    assert lock.main(["--check", "--uv", "/nonexistent/uv"]) == 0
