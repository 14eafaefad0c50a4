#!/usr/bin/env python3
"""Build the information-operations takedowns site: see README.md, or run with --help."""

import os
import sys
from pathlib import Path

# scripts/install.sh puts the packages in .venv/ when the Python on the PATH cannot take them
# (a user without root on a system Python): use it, so the README's commands work as written.
_VENV = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
if _VENV.exists() and sys.prefix == sys.base_prefix and not os.environ.get("TAKEDOWNS_NO_VENV"):
    os.execv(str(_VENV), [str(_VENV), *sys.argv])

if __name__ == "__main__":  # not when a renderer process (multiprocessing's spawn) runs this file again as __mp_main__
    from takedowns.cli import main

    sys.exit(main(sys.argv[1:]))
