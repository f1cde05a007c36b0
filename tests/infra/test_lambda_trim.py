"""What the Lambda package leaves out (infra/function/Makefile's `trim`) is never needed there:
none of the app's modules that run on Lambda imports it, and nothing kept links to it. Checked
on this machine's Pillow, whose wheel has the Lambda's layout for another architecture."""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
from pathlib import Path

import PIL

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "expense_tracker"
SITE = Path(PIL.__file__).resolve().parents[1]
# Pillow's modules that load the removed extensions, and what only the CLI may import.
UNUSED_PILLOW_MODULES = {"ImageFont", "ImageTk", "ImageMath", "ImageMorph", "AvifImagePlugin"}
NOT_ON_LAMBDA = ("entrypoints/cli", "entrypoints/http/openapi_spec.py", "adapters/local")


def removed_patterns() -> list[str]:
    makefile = (ROOT / "infra" / "function" / "Makefile").read_text()
    found = re.search(r"^PILLOW_UNUSED := (.*?)\n(?!\s)", makefile, re.S | re.M)
    assert found, "PILLOW_UNUSED is gone from the Lambda Makefile"
    return found.group(1).replace("\\\n", " ").split()


def removed_files() -> set[Path]:
    files = {p for p in SITE.glob("PIL/*") if p.is_file()}
    files |= {p for p in SITE.glob("pillow.libs/*") if p.is_file()}
    return {
        p
        for p in files
        for pattern in removed_patterns()
        if fnmatch.fnmatch(str(p.relative_to(SITE)), pattern)
    }


def test_every_removed_pattern_names_a_file_pillow_ships() -> None:
    names = {str(p.relative_to(SITE)) for p in removed_files()}
    for pattern in removed_patterns():
        assert fnmatch.filter(names, pattern), f"{pattern} matches nothing: renamed upstream?"


def needed(library: Path) -> set[str]:
    out = subprocess.run(
        ["readelf", "--dynamic", str(library)], capture_output=True, text=True, check=True
    ).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out))


def test_nothing_kept_links_to_a_removed_library() -> None:
    removed = removed_files()
    removed_names = {p.name for p in removed}
    kept = [p for p in [*SITE.glob("PIL/*.so"), *SITE.glob("pillow.libs/*")] if p not in removed]
    assert kept, "no Pillow extension found"
    for library in kept:
        assert not needed(library) & removed_names, library.name


def lambda_modules() -> list[Path]:
    return [
        p
        for p in SRC.rglob("*.py")
        if not any(str(p.relative_to(SRC)).startswith(skip) for skip in NOT_ON_LAMBDA)
    ]


def imported_names(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return names


def test_code_that_runs_on_lambda_never_imports_what_the_package_leaves_out() -> None:
    for module in lambda_modules():
        for name in imported_names(module):
            parts = name.split(".")
            assert parts[0] != "yaml", f"{module}: PyYAML is not in the Lambda package"
            if parts[0] == "PIL":
                assert not set(parts) & UNUSED_PILLOW_MODULES, f"{module} imports {name}"
