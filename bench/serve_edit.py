"""Time ``serve`` from saving an edit of one disclosure to a browser showing it, in a real Chromium.

    python3 bench/serve_edit.py                                   # the example site (content/, data/)
    python3 bench/serve_edit.py --project bench/out/catalogue --id net-00150 --lang es --output preview

Starts ``build.py serve`` (its own cache under the project's .cache/, so the first preview is warm after one run),
opens the disclosure's page in the language asked for, then edits the title in its YAML file five times and prints,
for each, the seconds from the write to the page's heading showing the new title (the page reloads by itself), and
the seconds until the whole preview (lists, search) is rebuilt, as ``serve`` reports it.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

GOAL_SECONDS = 1.0  # a saved edit shows in the browser within this
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    from playwright.sync_api import sync_playwright

    from takedowns.browser import find_browser

    p = argparse.ArgumentParser()
    p.add_argument("--project", type=Path, default=ROOT, help="a folder with content/ and data/ (default: this checkout)")
    p.add_argument("--id", default="iran-2019-01", help="the disclosure to edit")
    p.add_argument("--lang", default="", help="the page's language folder (es, ar, ru; default: the site's own)")
    p.add_argument("--edits", type=int, default=5)
    p.add_argument("--output", default=".cache/preview", help="the preview folder, in the project (serve's default)")
    a = p.parse_args()
    port = free_port()
    yaml_file = a.project / "content" / "disclosures" / f"{a.id}.yaml"
    original = yaml_file.read_text()
    server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--templates", str(ROOT / "templates"),
                               "--output", a.output],
                              cwd=a.project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: list[str] = []
    try:
        started = time.monotonic()
        for line in server.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("serving"):
                break
        else:
            raise SystemExit("serve stopped:\n" + "".join(lines))
        print(f"first preview: {time.monotonic() - started:.1f} s")
        url = f"http://localhost:{port}/{a.lang + '/' if a.lang else ''}disclosures/{a.id}/"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=find_browser(),
                                         args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(url)
            title_line = re.search(r"^title: (.*)$", original, re.M)
            assert title_line, "the file has no title: line"
            shown, whole = [], []
            for n in range(a.edits):
                page.wait_for_timeout(1500)  # the page has asked the server "anything new?" and waits for the answer
                wanted = f"{title_line.group(1).strip(chr(34))} (edit {n + 1} at {time.time_ns()})"
                start = time.monotonic()
                yaml_file.write_text(original.replace(title_line.group(0), f"title: \"{wanted}\""))
                page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').textContent.includes(t)",
                                       arg=wanted, timeout=120_000, polling=10)
                shown.append(time.monotonic() - start)
                for line in server.stdout:  # type: ignore[union-attr]
                    lines.append(line)
                    if line.startswith("rebuilt"):
                        whole.append(time.monotonic() - start)
                    if line.startswith("search index") or "failed" in line:  # the watcher looks again after this
                        break
            browser.close()
        print("".join(line for line in lines if line.startswith("shown")), end="")
        print(f"{a.project.name}: {a.id} ({a.lang or 'site language'}), {a.edits} edits")
        median = sorted(shown)[len(shown) // 2]
        print("save -> page shows it in the browser: " + ", ".join(f"{s:.2f}" for s in shown) + f" s (median {median:.2f} s; "
              f"goal ≤ {GOAL_SECONDS:g} s: {'met' if max(shown) <= GOAL_SECONDS else 'not met'} by every edit)")
        print("save -> whole preview rebuilt (pages; search index after): " + ", ".join(f"{s:.1f}" for s in whole) + " s")
    finally:
        yaml_file.write_text(original)
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
