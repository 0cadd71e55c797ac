"""One warm process per build: the notebooks of a ``make report`` start without a cold start each.

A notebook run used to start a kernel that imported pandas, SciPy, matplotlib and the project
(about 3 s of CPU per notebook, nine times per build). Inside a locked build the Makefile
sets ``DPRK_WARM`` to the id of the make process. Then the first notebook step starts a
server (``python -m dprk_russia.build.warm ID``) that imports all of that once and listens
on a local socket; every notebook step (:func:`delegate`, called by
:mod:`dprk_russia.build.run`) asks it to run the notebook, and it forks a copy of itself
that runs the step with :func:`dprk_russia.build.run.main` and the in-process engine
(:mod:`dprk_russia.build.inprocess`): the same executed notebook, stamp and progress lines.

* The socket is in Linux's abstract namespace, named by user and build; the server serves only
  its own user (peer credentials checked) and ends when the make process is gone.
* The step's own standard input, output and error are passed over the socket, so its lines go
  where the step's would; its working directory and environment are the step's.
* Ctrl-C or a ``kill`` of the step reaches the notebook as it did the kernel (the step forwards
  the signal; a forked run ends when its step goes away); the exit status is the run's.
* Anything unexpected (no server could be started, another OS) and the step runs cold, as before.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

ENV = "DPRK_WARM"
#: How long a step waits for the server to import everything and listen, before running cold.
READY_TIMEOUT = 120.0
_STATUS = struct.Struct("!i")


def _address(build: str) -> str:
    return f"\0dprk-russia-warm-{os.getuid()}-{build}"


def _connect(build: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(_address(build))
    except OSError:
        sock.close()
        return None
    return sock


def delegate(argv: list[str]) -> int | None:
    """Run ``python -m dprk_russia.build.run ARGV`` in the build's warm server; its exit status,
    or None where there is no warm server to be had (then the caller runs the step itself)."""
    build = os.environ.get(ENV, "")
    if not build.isdigit() or not sys.platform.startswith("linux"):
        return None
    sock = _connect(build)
    if sock is None:
        sock = _start(build)
        if sock is None:
            return None
    with sock:
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(sock, [_STATUS.pack(len(request)) + request], [0, 1, 2])
        # a signal to this step goes on to the run (one byte: its number)
        forward = {s: signal.signal(s, lambda n, _f: _send(sock, n)) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            reply = b""
            while len(reply) < _STATUS.size:
                chunk = sock.recv(_STATUS.size - len(reply))
                if not chunk:
                    return 1  # the run ended without a status (killed): a failed step
                reply += chunk
        finally:
            for s, handler in forward.items():
                signal.signal(s, handler)
    return _STATUS.unpack(reply)[0]


def _send(sock: socket.socket, signum: int) -> None:
    try:
        sock.send(bytes([signum]))
    except OSError:
        pass


def _start(build: str) -> socket.socket | None:
    """Start the build's server (a second one started meanwhile finds the name taken and ends)
    and connect once it listens; None if it does not come up."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dprk_russia.build.warm", build],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        sock = _connect(build)
        if sock is not None:
            return sock
        if proc.poll() is not None and proc.returncode != 0:
            return _connect(build)  # it could not start (or another server took the name)
        time.sleep(0.02)
    return None


def preload() -> None:
    """Import what the notebooks import, and make the shell they run in."""
    import matplotlib.pyplot  # noqa: F401
    import papermill  # noqa: F401
    import scipy.optimize  # noqa: F401

    import dprk_russia.analysis.backtest  # noqa: F401
    import dprk_russia.analysis.contradictions  # noqa: F401
    import dprk_russia.analysis.curves  # noqa: F401
    import dprk_russia.analysis.sweep  # noqa: F401
    import dprk_russia.build.context  # noqa: F401
    import dprk_russia.build.run  # noqa: F401
    import dprk_russia.report.charts  # noqa: F401
    import dprk_russia.report.render  # noqa: F401
    from dprk_russia.build import inprocess

    inprocess.shell()


def serve(build: str) -> int:
    """Listen for the steps of build ``build`` until its make process is gone."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # as build.run does
    preload()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(_address(build))
    except OSError:
        return 0  # another server of this build is listening
    server.listen(16)
    server.settimeout(0.25)
    uid = os.getuid()
    while _alive(int(build)):
        _reap()
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        _pid, peer, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if peer != uid:
            conn.close()
            continue
        if os.fork() == 0:
            status = 1
            try:
                server.close()
                status = _run(conn)
            finally:
                os._exit(status)  # never back into the server's loop
        conn.close()
    while _reap(block=True):  # runs still going (their steps stop them) are waited for
        pass
    return 0


def _reap(block: bool = False) -> bool:
    """Collect the forked runs that ended (so their CPU time counts as this process's children's,
    as a kernel's counted for its step); False when none is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0 or block:
            return pid != 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run(conn: socket.socket) -> int:
    """In the forked copy: take the step's request, file descriptors, directory and environment,
    run it and send its exit status."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgid(0, 0)  # signals reach the run through its step only, once
        conn.settimeout(None)
        head, fds, _flags, _addr = socket.recv_fds(conn, _STATUS.size, 3)
        size = _STATUS.unpack(head)[0]
        body = b""
        while len(body) < size:
            chunk = conn.recv(size - len(body))
            if not chunk:
                return 1
            body += chunk
        request = json.loads(body)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        threading.Thread(target=_watch, args=(conn,), daemon=True).start()
        from dprk_russia.build import run

        status = run.main(request["argv"], in_process=True)
    except KeyboardInterrupt:
        status = 130
    except BaseException as err:  # noqa: BLE001  # the step reports it; the server lives on
        print(f"[fail]  warm run: {type(err).__name__}: {err}", file=sys.stderr)
    finally:
        # done: the step closing its end after the status must not interrupt anything any more
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(_STATUS.pack(status))
        except OSError:
            pass
    return status


def _watch(conn: socket.socket) -> None:
    """A signal forwarded by the step is raised here; a step gone away stops the run."""
    while True:
        try:
            data = conn.recv(1)
        except OSError:
            data = b""
        if not data:
            os.kill(os.getpid(), signal.SIGTERM)
            return
        os.kill(os.getpid(), data[0])


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
