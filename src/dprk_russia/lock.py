"""One build at a time per checkout: ``python -m dprk_russia.lock LOCKFILE COMMAND ...``.

Takes an exclusive lock (``flock``) on LOCKFILE, then replaces itself with COMMAND (``exec``),
which inherits the lock and holds it until it ends; signals reach COMMAND directly. When
another build holds the lock, says so on one line and waits for it to finish.

Standard library only: the Makefile runs it with the system ``python3``.
"""

from __future__ import annotations

import fcntl
import os
import sys


def acquire(path: str, what: str = "build") -> int:
    """Open ``path`` and lock it exclusively, waiting (with one message) if it is taken.

    ``what`` (for example ``make report``) is written into the file for the next one to show.
    """
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
        print(
            f"[wait]  another build is running in this checkout ({holder}); waiting for it to finish",
            file=sys.stderr,
            flush=True,
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}: {what}\n".encode(), 0)
    return fd


def main(argv: list[str] | None = None) -> int:
    """Lock, then exec the command; return an exit status only if that fails."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m dprk_russia.lock LOCKFILE COMMAND [ARG ...]", file=sys.stderr)
        return 2
    try:
        fd = acquire(args[0], " ".join(a for a in args[1:] if "=" not in a))
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
