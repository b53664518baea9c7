#!/usr/bin/env python3
"""Copy the front-end libraries the portal serves itself from node_modules/ into
portal/web/static/vendor/ (gitignored).

Run after ``npm ci`` (which installs exactly what package-lock.json pins):

    npm ci && python scripts/vendor_assets.py

The portal never points a browser at a CDN: every script, stylesheet and image a
page loads comes from the portal's own host, so these files must be in place before
the map pages work.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "portal" / "web" / "static" / "vendor"

# package -> files (relative to the package) copied to vendor/<package>/ keeping their paths
FILES: dict[str, list[str]] = {
    "leaflet": [
        "dist/leaflet.js",
        "dist/leaflet.js.map",
        "dist/leaflet.css",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
        "LICENSE",
    ],
    "topojson-client": [
        "dist/topojson-client.min.js",
        "LICENSE",
    ],
}


class VendorError(RuntimeError):
    pass


def vendor(node_modules: Path = NODE_MODULES, target: Path = VENDOR) -> list[Path]:
    """Copy every file in ``FILES``; return the copied paths. Raises ``VendorError``
    (with the command that fixes it) when node_modules or a file is missing."""
    if not node_modules.is_dir():
        raise VendorError(
            f"{node_modules} does not exist: install the front-end packages first with\n"
            f"    cd {ROOT} && npm ci\n"
            "and run this script again.")
    missing = [f"{package}/{name}" for package, names in FILES.items() for name in names
               if not (node_modules / package / name).is_file()]
    if missing:
        raise VendorError(
            "node_modules is incomplete or holds other versions than package-lock.json; "
            "missing:\n    " + "\n    ".join(missing) + f"\nrun: cd {ROOT} && npm ci")
    if target.exists():
        shutil.rmtree(target)
    copied: list[Path] = []
    for package, names in FILES.items():
        version = json.loads((node_modules / package / "package.json").read_text())["version"]
        for name in names:
            destination = target / package / name.removeprefix("dist/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / package / name, destination)
            copied.append(destination)
        (target / package / "VERSION").write_text(version + "\n")
    return copied


def main() -> int:
    try:
        copied = vendor()
    except VendorError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1
    print(f"copied {len(copied)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
