"""Lock the dependency groups of pyproject.toml into hashed requirement files, one per install
profile, or check that the files still match pyproject.toml (`make lock`, `make lint`).

    requirements/dev.txt     every group (`rapidocr` and `dev` too): what `make test` installs
    requirements/local.txt   the app, `local` and `ocr`: what `make run` installs
    requirements/lambda.txt  the app and `aws`: what the Lambda package holds

`uv pip compile --universal --generate-hashes` resolves once for every platform and Python the
project supports, so the Lambda's (Linux arm64, 3.13) wheels are pinned and hashed too. dev.txt is
resolved first; the two smaller profiles are resolved under its pins, so a package has the same
version in every profile. Existing pins are kept unless pyproject.toml asks otherwise.

Not `uv lock`: its uv.lock records the registry's addresses, and none are written into this repo.
Each file instead starts with a digest of pyproject.toml's dependency tables, and `--check`
(offline) fails when they changed since the last lock."""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "requirements"
PROFILES: dict[str, list[str]] = {
    "dev": ["local", "ocr", "rapidocr", "aws", "dev"],
    "local": ["local", "ocr"],
    "lambda": ["aws"],
}
DIGEST_PREFIX = "# pyproject-dependencies-sha256: "
LOWEST_PYTHON = "3.11"


def inputs_digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    tables = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def profile_file(name: str) -> Path:
    return FOLDER / f"{name}.txt"


def _without_hashes(locked: Path, scratch: Path) -> Path:
    """uv takes pins, not hashes, from a constraints file; markers stay (a universal lock may
    pin a package differently per Python version)."""
    pins = [
        line.rstrip(" \\")
        for line in locked.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith((" ", "#"))
    ]
    scratch.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return scratch


def compile_profile(uv: str, name: str, constraints: Path | None) -> None:
    out = profile_file(name)
    command = [
        uv, "pip", "compile", "--quiet", "--universal", "--generate-hashes",
        "--python-version", LOWEST_PYTHON, "--custom-compile-command", "make lock",
        *(f"--extra={extra}" for extra in PROFILES[name]),
        *(["--constraint", str(constraints.relative_to(ROOT))] if constraints else []),
        "--output-file", str(out.relative_to(ROOT)), "pyproject.toml",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True)
    out.write_text(
        f"{DIGEST_PREFIX}{inputs_digest()}\n" + out.read_text(encoding="utf-8"), encoding="utf-8"
    )


def lock(uv: str) -> None:
    FOLDER.mkdir(exist_ok=True)
    compile_profile(uv, "dev", None)
    # A fixed path: uv names it in the files' comments.
    pins = _without_hashes(profile_file("dev"), FOLDER / "dev-pins.txt")
    try:
        for name in PROFILES:
            if name != "dev":
                compile_profile(uv, name, pins)
    finally:
        pins.unlink()


def stale_profiles() -> list[str]:
    expected = f"{DIGEST_PREFIX}{inputs_digest()}"
    stale = []
    for name in PROFILES:
        path = profile_file(name)
        first = path.read_text(encoding="utf-8").partition("\n")[0] if path.exists() else ""
        if first != expected:
            stale.append(str(path.relative_to(ROOT)))
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a lock file is stale")
    parser.add_argument("--uv", default="uv", help="the uv executable (make lock pins one)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_profiles()
        for path in stale:
            print(f"{path} is stale: pyproject.toml's dependencies changed; run make lock")
        return 1 if stale else 0
    lock(args.uv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
