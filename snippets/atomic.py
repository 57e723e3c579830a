"""Files that appear whole or not at all: the one atomic writer of the package.

Run records, checkpoints, the EPMA converter's outputs and the preview's cache all write
through `atomic_file`, so a crash, an error or Ctrl-C never leaves a half-written file that
looks complete.
"""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


# --8<-- [start:atomic]
@contextlib.contextmanager
def atomic_file(path: Path | str, mode: str = "w", **open_args) -> Iterator[IO]:
    """A temporary file beside `path`, renamed over it only if the block finishes.

    The rename is atomic on POSIX and Windows: a reader sees the old file or the new one,
    never half of one. On any error the temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private: a normal mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --8<-- [end:atomic]


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
