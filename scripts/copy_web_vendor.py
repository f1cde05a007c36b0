"""Copy front-end packages installed by npm into the Python package's web folder.

They are build products: git-ignored, never committed, never loaded from a CDN. The licence
travels with the code it covers."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "expense_tracker" / "web" / "vendor"
FILES = {
    "node_modules/chart.js/dist/chart.umd.min.js": "chart.umd.min.js",
    "node_modules/chart.js/LICENSE.md": "chart.js.LICENSE.md",
}


def main() -> int:
    missing = [source for source in FILES if not (ROOT / source).is_file()]
    if missing:
        print(f"missing {', '.join(missing)}: run `npm ci` first", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        shutil.copyfile(ROOT / source, VENDOR / target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
