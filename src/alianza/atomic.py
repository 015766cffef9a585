"""Write every output atomically: into a temporary file in the same folder, renamed over the target
(os.replace) only once it is complete. An interrupted or failed run leaves the previous file or
none, never a truncated one; a folder that cannot be written is one line naming the path.
"""
from __future__ import annotations

import errno
import json
import os
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .errors import OutputError

_REASONS = {errno.ENOSPC: "no space left on the device", errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.ENOTDIR: "a parent of this path is a file, not a folder",
            errno.EEXIST: "a parent of this path is a file, not a folder", errno.EDQUOT: "disk quota exceeded"}


def output_error(exc: OSError, path, what: str = "cannot write output") -> OutputError:
    """One line naming the path and the reason (errno in words) of a failed file operation."""
    reason = _REASONS.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"{what}: {reason}", file=path)


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path` (same suffix, so writers that go by the extension still
    work); on success it replaces `path`, on any error it is removed and an OSError becomes an
    OutputError naming `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(exc, path) from None
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise output_error(exc, path) from None
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_paths(*paths):
    """Temporary paths for a set of outputs that belong together (a wave's data, quarantine and
    summary): none replaces its target unless every one was written, so a failed run leaves the
    previous set whole."""
    with ExitStack() as stack:
        yield [stack.enter_context(atomic_path(p)) for p in paths]


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj, **kwargs) -> None:
    """JSON with indent 2 and UTF-8 kept (ensure_ascii False) unless `kwargs` say otherwise."""
    kwargs = {"indent": 2, "ensure_ascii": False, **kwargs}
    write_text(path, json.dumps(obj, **kwargs) + "\n")


def write_frame(path, frame, **kwargs) -> None:
    """A DataFrame as CSV or Parquet (by the extension), without its index unless `kwargs` say so."""
    kwargs = {"index": False, **kwargs}
    with atomic_path(path) as tmp:
        if Path(path).suffix.lower() == ".parquet":
            frame.to_parquet(tmp, **kwargs)
        else:
            frame.to_csv(tmp, **kwargs)
