"""`python -m gohandbook …` is the `gohandbook` command."""

import os
import sys

from .cli import main

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
