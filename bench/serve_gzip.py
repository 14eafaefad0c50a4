"""Serve a folder on loopback the way GitHub Pages does: text files gzip-compressed when the browser asks.

Usage: python3 bench/serve_gzip.py FOLDER PORT   (for bench/lighthouse.sh; python -m http.server sends everything raw)
"""

from __future__ import annotations

import gzip
import http.server
import io
import sys
from functools import partial

TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".csv", ".txt")


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if path.endswith("/"):
            path += "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not wants or not path.endswith(TEXT):
            return super().send_head()
        try:
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), 6)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


if __name__ == "__main__":
    folder, port = sys.argv[1], int(sys.argv[2])
    http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, directory=folder)).serve_forever()
