#!/usr/bin/env python3
"""Build the information-operations takedowns site: see README.md, or run with --help."""

import sys

from takedowns.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
