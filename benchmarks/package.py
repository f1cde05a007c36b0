"""The Lambda deployment package, built the way `sam build` builds it (infra/function/Makefile:
the project's wheel and its `aws` extra for arm64), then zipped as SAM uploads it."""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAMBDA_UNZIPPED_LIMIT = 250 * 2**20
LAMBDA_ZIP_UPLOAD_LIMIT = 50 * 2**20


@dataclass(frozen=True)
class PackageSize:
    method: str
    unzipped: int
    zipped: int
    files: int
    by_package: list[tuple[str, int]]  # top-level entry -> bytes, largest first


def _uv() -> str:
    pinned = REPO / ".tools" / "bin" / "uv"  # the Makefile's
    return str(pinned) if pinned.exists() else "uv"


def build_like_sam(target: Path) -> str:
    """infra's own recipe; if the registry is out of reach, the same for this machine."""
    make = ["make", "--no-print-directory", "-C", str(REPO / "infra" / "function")]
    done = subprocess.run(
        # WHEELS: the recipe's scratch folder, moved out of the work tree.
        [*make, "build-ApiFunction", f"ARTIFACTS_DIR={target}", f"WHEELS={target.parent}/wheels"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode == 0:
        return "infra/function/Makefile (`sam build`'s recipe): linux arm64, Python 3.13"
    wheels = target.parent / "wheels"
    subprocess.run([_uv(), "build", "-q", "--wheel", "-o", str(wheels), str(REPO)], check=True)
    install = [_uv(), "pip", "install", "-q", "--target", str(target)]
    subprocess.run(
        [*install, "--require-hashes", "-r", str(REPO / "requirements" / "lambda.txt")],
        check=True, timeout=600,
    )  # fmt: skip
    wheel = next(wheels.glob("expense_tracker-*.whl"))
    subprocess.run([*install, "--no-deps", str(wheel)], check=True, timeout=600)
    return "wheel + `aws` group for this machine (the arm64 build failed: registry unreachable?)"


def _top(path: Path, root: Path) -> str:
    first = path.relative_to(root).parts[0]
    if first.endswith(".dist-info"):
        return "*.dist-info (metadata)"
    return first.split(".")[0] if path.parent == root else first


def measure(target: Path, method: str) -> PackageSize:
    sizes: Counter[str] = Counter()
    files = 0
    archive = target.parent / "package.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for dirpath, _dirs, names in os.walk(target):
            for name in names:
                path = Path(dirpath) / name
                sizes[_top(path, target)] += path.stat().st_size
                zf.write(path, path.relative_to(target))
                files += 1
    return PackageSize(
        method=method,
        unzipped=sum(sizes.values()),
        zipped=archive.stat().st_size,
        files=files,
        by_package=sizes.most_common(),
    )


def package_size(workdir: Path) -> PackageSize:
    target = workdir / "lambda-package"
    return measure(target, build_like_sam(target))
