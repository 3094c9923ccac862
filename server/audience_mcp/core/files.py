"""State files readable by their owner only.

The journal holds before-images of a company's audiences (and image bytes); the sandbox
database holds test data and its service accounts. Created with the process umask they were
world-readable (0644) on most systems. `private_file` creates a file (and a missing parent
directory, 0700) with mode 0600 before SQLite opens it; SQLite gives its -wal and -shm files
the database file's mode. An existing file keeps the mode its owner chose.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: str) -> str:
    """Create `path` 0600 if it does not exist (parents 0700); returns the expanded path.

    `:memory:` (SQLite's in-memory database) is returned as it is.
    """
    if path == ":memory:":
        return path
    target = Path(path).expanduser()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: only a file this call creates gets the mode; never chmod someone else's file.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return str(target)
    os.close(descriptor)
    return str(target)
