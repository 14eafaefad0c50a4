"""``serve``: a preview on localhost that rebuilds when content, templates or data change.

The preview includes drafts and embargoed disclosures, so it is built into its
own folder (never site/) and marked on every page.  A build that fails keeps the
server running and shows its problems in the page and on the terminal.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import signal
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import replace
from pathlib import Path

from markupsafe import escape

from ..content.load import ignored_name
from ..errors import BuildError
from ..files import check_output
from ..pipeline import Options, Result, build, show_edit_first


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Return (mtime, size) of every file under ``folders``: enough to notice any edit."""
    state: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder.exists():
            for path in folder.rglob("*"):
                if ignored_name(path.name):
                    continue
                try:
                    st = path.stat()
                except OSError:  # a dangling link, or a file removed while we looked: the build will say
                    state[str(path)] = (-1, -1)
                    continue
                if path.is_file():
                    state[str(path)] = (st.st_mtime_ns, st.st_size)
    return state


IDLE_SECONDS = 20
WAIT_SECONDS = 10  # an open page asks "has anything changed?" and is answered at once on a change, else after this long


def edited(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[Path]:
    """The files that changed (added, removed or edited) between two snapshots."""
    return sorted(Path(p) for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class Preview:
    """The state shared by the watcher and the request handler."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.generation = 0
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # notified on every new generation: waiting pages reload at once
        self.last: Result | None = None
        self.viewed: list[str] = []  # languages of the pages open in a browser, the latest first

    def _bump(self) -> None:
        """Tell open pages to reload (the caller holds the lock)."""
        self.generation += 1
        self.changed.notify_all()

    def saw(self, path: str) -> None:
        """Remember the language of a page a browser has open (from its address: /es/..., or the site's own)."""
        last = self.last
        if last is None or last.site is None:
            return
        first = path.lstrip("/").split("/", 1)[0]
        lang = first if first in last.site.languages and first != last.site.language else last.site.language
        with self.lock:
            self.viewed = [lang] + [v for v in self.viewed if v != lang]

    def show_first(self, paths: list[Path]) -> bool:
        """After a save: if only disclosure files changed, write their pages (the languages on screen first) into the preview
        and reload open pages at once; the whole build follows. Returns whether it did."""
        folder = Path(self.options.content) / "disclosures"
        if self.last is None or self.problems or not paths or not all(
                p.suffix in (".yaml", ".yml") and p.parent == folder and p.is_file() for p in paths):
            return False
        start = time.perf_counter()
        first: list[float] = []

        def reload() -> None:  # the language on screen is written: open pages reload now, the other languages follow
            first.append(time.perf_counter() - start)
            with self.lock:
                self._bump()

        try:
            written = show_edit_first(self.options, self.last, paths, list(self.viewed), reload)
        except Exception:  # noqa: BLE001  (the whole build that follows says what is wrong, with its own messages)
            return False
        if not written:
            return False
        print(f"shown: {', '.join(p.name for p in paths)} in {first[0] if first else 0:.2f} s (every language in "
              f"{time.perf_counter() - start:.2f} s); building the rest", flush=True)
        return True

    def rebuild(self, options: Options | None = None) -> None:
        """Build the preview; an edit is shown first, then the search index is brought up to date in a second build."""
        start = time.perf_counter()
        first = options is None
        try:
            result = build(options or replace(self.options, search_later=True))
        except BuildError as exc:
            self._failed([str(p) for p in exc.problems])
            return
        except OSError as exc:
            self._failed([f"{exc.filename or 'build'}: {exc.strerror or exc}"])
            return
        except Exception as exc:  # a bug must not take the preview down: show it, keep serving
            traceback.print_exc()
            self._failed([f"build: internal error ({type(exc).__name__}: {exc}); please report it"])
            return
        with self.lock:
            changed = first or bool(self.problems)
            self.problems = []
            self.last = result
            if changed:  # the pages changed: open pages reload (not for the search index alone)
                self._bump()
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr, flush=True)
        if first:
            print(f"rebuilt: {len(result.published)} disclosures in {time.perf_counter() - start:.1f} s", flush=True)
        else:
            print(f"search index up to date in {time.perf_counter() - start:.1f} s", flush=True)
        if result.search_stale:
            self.rebuild(self.options)

    def _failed(self, problems: list[str]) -> None:
        with self.lock:
            self.problems = problems
            self._bump()
        print(f"build failed ({len(problems)} problem(s)); still serving:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    timeout = IDLE_SECONDS  # a connection that sends nothing for this long is closed: idle ones do not hold a thread each

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _host_ok(self) -> bool:
        """Accept only requests addressed to this machine by name, so DNS rebinding cannot read drafts."""
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {f"{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}

    def _refused(self, with_body: bool) -> bool:
        """Answer and return True for a request the preview does not serve: a path no file can have (a NUL byte, once
        decoded: 400, never a traceback), or a host other than this machine's (421)."""
        if "\x00" in urllib.parse.unquote(self.path):
            self._send(400, "text/plain; charset=utf-8", b"No file has that name.\n" if with_body else b"")
        elif not self._host_ok():
            self._send(421, "text/plain; charset=utf-8", b"This preview answers only to localhost.\n" if with_body else b"")
        else:
            return False
        return True

    def do_HEAD(self) -> None:  # noqa: N802
        if not self._refused(with_body=False):
            super().do_HEAD()

    def do_GET(self) -> None:  # noqa: N802
        if self._refused(with_body=True):
            return
        if self.path.split("?")[0] == "/__reload":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if query.get("page"):
                self.preview.saw(query["page"][0])
            since = query.get("since", [""])[0]
            with self.preview.lock:
                if since.isdigit() and len(since) < 16 and int(since) == self.preview.generation:  # wait for the next change (or a while)
                    self.preview.changed.wait_for(lambda: self.preview.generation != int(since), timeout=WAIT_SECONDS)
                body = json.dumps({"generation": self.preview.generation, "ok": not self.preview.problems}).encode()
            self._send(200, "application/json", body)
            return
        with self.preview.lock:
            problems = list(self.preview.problems)
        if problems and (self.path.endswith("/") or self.path.endswith(".html")):
            self._send(500, "text/html; charset=utf-8", error_page(problems).encode())
            return
        super().do_GET()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def error_page(problems: list[str]) -> str:
    items = "\n".join(f"<li><code>{escape(p)}</code></li>" for p in problems)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><main id="main"><h1>Build failed</h1>
<p class="banner warn" role="alert">The preview could not be rebuilt. Fix these and save; this page reloads by itself.</p>
<ul class="problems">{items}</ul></main>
<script src="/assets/livereload.js" defer></script></body></html>
"""


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000, interval: float = 0.25) -> None:
    """Build the preview, serve it, and rebuild on every change until interrupted."""
    options = replace(options, drafts=True, live_reload=True, search_index=options.search_index)
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C (SIGINT) stops the preview even when it was started in the background by a shell, which ignores SIGINT for it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    preview = Preview(options)
    watched = [options.content, options.templates] + ([] if isinstance(options.data, str) else [options.data])
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    check_output(options.output, [options.content, options.templates, options.node_modules] + ([] if isinstance(options.data, str) else [options.data]),
                 preview=True, cache=options.cache)
    # Take the port before building anything: a second serve must fail here, not after rewriting the shared preview.
    try:
        server = http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(options.output.absolute())))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BuildError(f"port {port} on {host} is in use (another serve?); stop it or choose another with --port") from None
        raise
    state = snapshot(watched)  # before the first build: an edit made while it runs is not missed
    preview.rebuild()
    # Said before the first answer: whoever sees a page served has seen this line (the socket is already bound).
    print(f"serving the preview (drafts and embargoed included) at http://{host}:{server.server_address[1]}/ ; Ctrl-C stops",
          flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(interval)
            now = snapshot(watched)
            if now != state:
                paths, state = edited(state, now), now
                preview.show_first(paths)
                preview.rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
