"""Screenshot every page of the build in headless Chromium with the network off, to look at them.

The pages promise to open offline and to show Chinese text on a machine without Chinese fonts; a
screenshot is the only honest check of that. Run ``reportkit build`` first, then::

    python benchmarks/screenshot_html.py [PAGE.html ...] [--height 2400]

PNGs go to ``build/screenshots/``; their paths are printed (relative to the repository). Needs a
``chromium`` (or ``chromium-browser`` / ``google-chrome``) binary; on Debian:
``apt-get update && apt-get install -y chromium``. A manual tool, not run in CI.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from reportkit import paths

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no Chromium found; install it with: apt-get update && apt-get install -y chromium")


def screenshot(page: Path, png: Path, width: int = 1200, height: int = 2400) -> None:
    """One PNG of ``page``'s top ``height`` pixels. Networking is disabled so a page that still needs a
    CDN shows the failure instead of quietly fetching it."""
    with tempfile.TemporaryDirectory(prefix="rk-chromium-") as profile:
        cmd = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-default-apps", "--mute-audio",
               # no route anywhere: every http(s) request fails at once
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={width},{height}",
               page.resolve().as_uri()]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pages", nargs="*", type=Path, help="pages to shoot (default: build/*.html)")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=2400)
    args = ap.parse_args(argv)
    pages = args.pages or sorted(paths.BUILD.glob("*.html"))
    if not pages:
        sys.exit("no pages: run `reportkit build` first")
    out = paths.BUILD / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        png = out / (page.stem + ".png")
        screenshot(page, png, args.width, args.height)
        try:
            shown = png.relative_to(paths.ROOT)
        except ValueError:
            shown = png
        print(shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
