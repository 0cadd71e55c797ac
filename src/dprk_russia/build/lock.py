"""One build at a time per checkout: ``python -m dprk_russia.build.lock LOCKFILE COMMAND ...``.

Takes an exclusive lock (``flock``) on LOCKFILE, then replaces itself with COMMAND (``exec``),
which inherits the lock and holds it until it ends; signals reach COMMAND directly. When
another build holds the lock, says so on one line and waits for it to finish.

The Makefile uses the util-linux ``flock -F`` where it exists (the same behaviour, without a
Python start-up on every ``make report``) and this module elsewhere (macOS). Standard library
only: it runs with the system ``python3``.
"""

from __future__ import annotations

import fcntl
import os
import sys

WAITING = "[wait]  another build is running in this checkout; waiting for it to finish"


def acquire(path: str) -> int:
    """Open ``path`` and lock it exclusively, waiting (with one message) if it is taken."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(WAITING, file=sys.stderr, flush=True)
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def main(argv: list[str] | None = None) -> int:
    """Lock, then exec the command; return an exit status only if that fails."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m dprk_russia.build.lock LOCKFILE COMMAND [ARG ...]", file=sys.stderr)
        return 2
    try:
        fd = acquire(args[0])
    except KeyboardInterrupt:
        print("[stop]  interrupted while waiting for the other build", file=sys.stderr)
        return 130
    os.set_inheritable(fd, True)
    try:
        os.execvp(args[1], args[1:])
    except OSError as err:
        print(f"lock: cannot run {args[1]!r}: {err.strerror}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    sys.exit(main())
