"""Copy the front-end packages installed by `npm ci` into the package's static/vendor folder.

Third-party files are not committed; this runs in `make assets` on every fresh clone.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
TARGET = ROOT / "src" / "ipcenter" / "static" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff2": "fonts/bootstrap-icons.woff2",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff": "fonts/bootstrap-icons.woff",
}


def main() -> int:
    missing = [src for src in FILES if not (MODULES / src).is_file()]
    if missing:
        print(f"vendor_assets: missing {missing}; run `npm ci` first", file=sys.stderr)
        return 1
    for src, dest in FILES.items():
        out = TARGET / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODULES / src, out)
    print(f"vendor_assets: {len(FILES)} files in {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
