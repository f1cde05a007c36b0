"""Copy front-end packages installed by npm into the Python package's web folder.

They are build products: git-ignored, never committed, never loaded from a CDN."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "expense_tracker" / "web" / "vendor"
FILES = {
    "node_modules/chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
}


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        shutil.copyfile(ROOT / source, VENDOR / target)


if __name__ == "__main__":
    main()
