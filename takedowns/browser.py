"""Find the Chromium or Chrome that tests and Lighthouse drive: never one machine's path.

In order: ``$CHROME_PATH`` (the variable Lighthouse reads too); a browser on the PATH
(``chromium``, ``chromium-browser``, ``google-chrome``, ...), skipping Ubuntu's snap
wrapper, which cannot run on CI runners; then Playwright's own download, where
``python -m playwright install chromium`` could fetch one.  ``python -m takedowns.browser``
prints the path, or says what to install and exits 1.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class NoBrowser(Exception):
    """No usable browser was found; the message says what to do."""


def _usable(path: str) -> bool:
    file = Path(path)
    if not (file.is_file() and os.access(file, os.X_OK)):
        return False
    if file.stat().st_size < 4096:  # a shell wrapper: Ubuntu's transitional package only points at the snap
        head = file.read_bytes()[:4096]
        if b"snap" in head and b"install" in head:
            return False
    return True


def find_browser() -> str:
    """Return the path of a Chromium or Chrome executable; raise NoBrowser saying what to install."""
    named = os.environ.get("CHROME_PATH")
    if named:
        if not _usable(named):
            raise NoBrowser(f"CHROME_PATH={named} is not an executable browser")
        return named
    for name in CANDIDATES:
        path = shutil.which(name)
        if path and _usable(path):
            return path
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
        if path and _usable(path):
            return str(path)
    except Exception:  # Playwright not installed, or its browser not downloaded
        pass
    raise NoBrowser("no Chromium or Chrome found: install Debian's or Ubuntu's `chromium` package, or run "
                    "`python3 -m playwright install --with-deps chromium`, or set CHROME_PATH to a Chrome/Chromium executable")


def main() -> int:
    try:
        print(find_browser())
    except NoBrowser as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
