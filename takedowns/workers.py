"""Worker processes (the statistics pools, the chart renderers) that end with the build that started them."""

from __future__ import annotations

import os
import threading
import time


def end_with_parent(parent: int, every: float = 0.5) -> None:
    """In a worker process: exit as soon as ``parent`` is no longer its parent (killed, or gone without closing its
    pool). A pool's workers wait on a pipe each of them holds open too, so they would never see their parent end."""

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
