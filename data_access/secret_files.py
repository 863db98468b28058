"""Generated secrets kept in the data folder (the demo's cookie key, its survey-link secret): one
way to read such a file and one way to write it, so both keys get the same care.

A file is opened without following a symlink, must be a regular file, and is made private (0600)
before its text is used; a file that stays readable by others is refused. A new one is created
0600 from the start, so the secret is never readable by others, not even briefly.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_private(path: Path, what: str, error: type[Exception]) -> str | None:
    """The stripped text of the `what` file at `path`, tightened to 0600; None when there is no
    file. Raises `error` with a sentence for the admin when it cannot be read safely."""
    try:
        fd = os.open(path, os.O_RDONLY | NO_FOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise error(f"The {what} file {path.name} in the data folder cannot be read "
                    f"({exc.strerror}). Fix its owner or remove it.") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # checked on the descriptor: a folder cannot be opened as text
        os.close(fd)
        raise error(f"The {what} file {path.name} in the data folder is not a regular file. Remove it.")
    with os.fdopen(fd) as fh:
        if info.st_mode & 0o077:
            try:
                os.fchmod(fh.fileno(), 0o600)  # readable by others before: tighten, then re-check
            except OSError as exc:
                raise error(f"The {what} file {path.name} can be read by other users and its mode "
                            f"cannot be changed to 0600 ({exc.strerror}); it is refused.") from exc
            if os.fstat(fh.fileno()).st_mode & 0o077:
                raise error(f"The {what} file {path.name} stays readable by others; it is refused.")
        return fh.read().strip()


def create_private(path: Path) -> str:
    """A new random secret (48 bytes, 64 characters) written to `path` with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NO_FOLLOW, 0o600)
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)  # an old file truncated here keeps its mode: tighten it too
        fh.write(value + "\n")
    return value
