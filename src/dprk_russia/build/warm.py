"""One warm process per build: the notebooks of a ``make report`` start without a cold start each.

A notebook run used to start a kernel that imported pandas, SciPy, matplotlib and the project
(about 3 s of CPU per notebook, nine times per build). Inside a locked build the Makefile
sets ``DPRK_WARM`` to the id of the make process. Then validation (``--spawn``, so that the
imports overlap it) or else the first notebook step starts a server
(``python -m dprk_russia.build.warm ID``) that imports all of that once and listens
on a local socket; every notebook step (``warm.py --step``: :func:`step`, then
:func:`delegate`) asks it to run the notebook, and it forks a copy of itself
that runs the step with :func:`dprk_russia.build.run.main` and the in-process engine
(:mod:`dprk_russia.build.inprocess`): the same executed notebook, stamp and progress lines.

* The socket is in Linux's abstract namespace (no file to leave behind), named by user and
  build; server and step check each other's user (peer credentials), a step delegates only
  when the named make process is its ancestor, and the server ends the moment that make
  process is gone (a pidfd; no process of the build outlives it by more than that).
* Whoever starts the server (validation's ``--spawn``, or the first step) binds and listens on
  the name first and hands the socket to it: from then on a step or the build's end
  (:func:`end`) that connects waits in the queue until the server has imported everything, and a
  second starter finds the name taken and starts nothing. (Bound by the server itself, the name
  existed a moment before it listened; an end that came then found no server to wait for and
  left it running after make had returned.)
* The step's own standard input, output and error are passed over the socket, so its lines go
  where the step's would; its working directory and environment are the step's.
* Ctrl-C, ``kill`` or a hang-up of the step reaches the notebook as it did the kernel (the step
  forwards the signal; a forked run ends when its step goes away, even by SIGKILL); the exit
  status is the run's (130 for an interrupted run, as cold).
* Anything unexpected (no server could be started, another OS) and the step runs cold, as before.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

ENV = "DPRK_WARM"
#: How long a step waits for the server to import everything and take it, before running cold.
READY_TIMEOUT = 120.0
_STATUS = struct.Struct("!i")
#: What the server sends on taking a connection; only then does a step send its request.
_READY = b"R"
#: The connections that asked the server to end, open until its process is gone: their end of
#: file tells :func:`end` so. (A list local to :func:`serve` was closed as it returned, while
#: the process, tearing down, could be seen for a while after.)
_ENDERS: list[socket.socket] = []
#: The collector's thresholds in a forked run (Python's are 700, 10, 10). A chart step makes
#: and drops hundreds of thousands of small objects; collecting every 700 of them took 8 to 10 %
#: of its CPU. The objects imported before the fork are frozen (``gc.freeze``): no collection
#: scans them again (nor, by touching them, copies their pages into each forked run).
GC_THRESHOLDS = (10_000, 10, 10)
#: The signals a step passes on to its run (as a kernel's step was stopped by them).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _address(build: str) -> str:
    return f"\0dprk-russia-warm-{os.getuid()}-{build}"


def _peer_uid(sock: socket.socket) -> int:
    return struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]


def _connect(build: str) -> socket.socket | None:
    """A connection to the build's server; None if there is none, or if the name is held by a
    process of another user (then nothing of this step is sent to it)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(_address(build))
        if _peer_uid(sock) != os.getuid():
            raise PermissionError
    except OSError:
        sock.close()
        return None
    return sock


def _ancestors() -> set[int]:
    """The ids of this process's parent, its parent and so on (from /proc)."""
    out, pid = set(), os.getppid()
    while pid > 1 and pid not in out:
        out.add(pid)
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            break
        pid = int(stat.rsplit(b")", 1)[1].split()[1])
    return out


def delegate(argv: list[str]) -> int | None:
    """Run the step ``python -m dprk_russia.build.run ARGV`` in the build's warm server; its exit
    status, or None where there is no warm server to be had (then the step runs itself)."""
    build = os.environ.get(ENV, "")
    # only inside the build that named itself (a stale DPRK_WARM in an environment runs cold)
    if not build.isdigit() or not sys.platform.startswith("linux") or int(build) not in _ancestors():
        return None
    sock = _connect(build) or _start(build)
    if sock is None:
        return None
    with sock:
        # the server takes the step once it has imported everything; a step that gives up first
        # has sent nothing, so the server never runs it as well
        sock.settimeout(READY_TIMEOUT)
        try:
            ready = sock.recv(len(_READY))
        except OSError:  # (a timeout too)
            ready = b""
        if ready != _READY:
            return None  # no server came up: the step runs itself
        sock.settimeout(None)
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(sock, [_STATUS.pack(len(request)) + request], [0, 1, 2])
        # a signal to this step goes on to the run (one byte: its number)
        forward = {s: signal.signal(s, lambda n, _f: _send(sock, n)) for s in FORWARDED}
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


def spawn(build: str) -> bool:
    """Claim the build's name (bind and listen) and start its server on that socket, detached
    (its own session, no terminal); return at once. False where the name is taken already (the
    build's server runs, or another step is starting it): nothing is started then."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with listener:
        try:
            listener.bind(_address(build))
        except OSError:
            return False
        listener.listen(16)
        fd = listener.fileno()
        subprocess.Popen(
            [sys.executable, "-m", "dprk_russia.build.warm", build, str(fd)],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    return True


def _start(build: str) -> socket.socket | None:
    """Start the build's server (or find the one another step is starting) and connect to it;
    None if that fails (the step then runs itself)."""
    deadline = time.monotonic() + 5.0  # (the name is free again only while a server closes)
    while True:
        try:
            spawn(build)
        except OSError:
            return None
        sock = _connect(build)
        if sock is not None or time.monotonic() > deadline:
            return sock
        time.sleep(0.01)


#: Modules a build never uses that its imports would pull in: jsonschema's optional IRI grammar
#: (through nbformat; compiled at import for 0.7 s) and jupytext's contents managers for a
#: Jupyter server (jupyter_server and tornado: 0.09 s of the warm process's start, on which the
#: first notebook waits). Marked missing, they are skipped as their importers allow.
UNUSED = ("rfc3987_syntax", "jupytext.sync_contentsmanager", "jupytext.async_contentsmanager")


def skip_unused() -> None:
    """Mark :data:`UNUSED` missing in this process (where not imported yet)."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def preload() -> None:
    """Import what the notebooks import, and make the shell they run in."""
    import jupytext  # noqa: F401  (each step reads its notebook with it: 0.08 s a step)
    import matplotlib.pyplot  # noqa: F401
    import nbformat.validator
    import nbformat.sign  # noqa: F401  (each step signs the notebook it ran)
    import papermill  # noqa: F401
    import scipy.optimize  # noqa: F401
    from ipykernel.ipkernel import IPythonKernel  # noqa: F401  (the in-process engine's language_info)
    import bdb  # noqa: F401  (IPython imports these two at a shell's first cell)
    import IPython.core.logger  # noqa: F401
    from PIL import Image

    import dprk_russia.analysis.backtest  # noqa: F401
    import dprk_russia.analysis.contradictions  # noqa: F401
    import dprk_russia.analysis.curves  # noqa: F401
    import dprk_russia.analysis.sweep  # noqa: F401
    import dprk_russia.build.context  # noqa: F401
    import dprk_russia.build.run  # noqa: F401
    import dprk_russia.report.charts  # noqa: F401
    import dprk_russia.report.diagnostics  # noqa: F401
    import dprk_russia.report.render  # noqa: F401
    from dprk_russia.build import inprocess

    Image.preinit()  # the image formats PIL loads at its first save (each chart's PNG)
    # nbformat compiles its notebook schema into a validator at first use: 0.03 s of every step
    # that reads its notebook, were it not compiled once here
    nbformat.validator.get_validator()
    inprocess.shell()


def serve(build: str, fd: int) -> int:
    """Take the steps of build ``build`` on the listening socket ``fd`` (see :func:`spawn`) until
    its make process is gone or its end is asked for."""
    server = socket.socket(fileno=fd)
    server.listen(16)  # (again: a step connecting from now on sees this process as its peer)
    try:
        gone = _watch_build(int(build))
    except ProcessLookupError:
        return 0  # the build has ended already
    # a build that ends while this is still importing (its validation failed, say) ends it at once
    preloaded = threading.Event()
    threading.Thread(target=_end_early, args=(int(build), gone, preloaded), daemon=True).start()
    skip_unused()  # as build.run does
    preload()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    preloaded.set()
    uid = os.getuid()
    while True:
        _reap()
        ready, _, _ = select.select([server, gone] if gone is not None else [server], [], [], 0.25)
        if (gone is not None and gone in ready) or (gone is None and not _alive(int(build))):
            break
        if server not in ready:
            continue
        conn, _ = server.accept()
        try:
            if _peer_uid(conn) != uid:
                raise PermissionError
            conn.sendall(_READY)
            request, fds = _receive(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        if request.get("end"):
            _ENDERS.append(conn)
            break
        if os.fork() == 0:
            status = 1
            try:
                server.close()
                status = _run(conn, request, fds)
            finally:
                os._exit(status)  # never back into the server's loop
        for fd in fds:
            os.close(fd)
        conn.close()
    server.close()  # no new step is taken; one connecting now runs cold
    while _reap(block=True):  # runs still going (their steps stop them) are waited for
        pass
    return 0


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """A step's request and the descriptors passed with it (its standard input, output, error)."""
    conn.settimeout(10.0)
    head, fds, _flags, _addr = socket.recv_fds(conn, _STATUS.size, 3)
    if len(head) < _STATUS.size:
        raise ValueError("short request")
    size = _STATUS.unpack(head)[0]
    body = b""
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise ValueError("short request")
        body += chunk
    conn.settimeout(None)
    return json.loads(body), fds


def end(build: str) -> None:
    """Ask the build's server to stop taking steps and wait until it is gone (the Makefile's last
    goal calls this, so no process of the build outlives make); one still importing is waited for."""
    sock = _connect(build)
    if sock is None:
        return
    with sock:
        request = json.dumps({"end": True}).encode()
        try:
            sock.sendall(_STATUS.pack(len(request)) + request)
            while sock.recv(64):
                pass
        except OSError:
            pass


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


def _end_early(build: int, gone: int | None, preloaded: threading.Event) -> None:
    """Exit the moment the build's make process ends, if that is before :func:`preload` is done
    (no step can have been taken yet; after that the server's loop ends it)."""
    if gone is not None:
        select.select([gone], [], [])
    else:
        while _alive(build) and not preloaded.is_set():
            time.sleep(0.25)
    if not preloaded.is_set():
        os._exit(0)


def _watch_build(pid: int) -> int | None:
    """A descriptor that becomes readable the moment the build's make process ends (a pidfd),
    so the server ends with it; None where the kernel has none (then it is polled).
    ProcessLookupError if it has ended already."""
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        raise  # it has ended already
    except (AttributeError, OSError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run(conn: socket.socket, request: dict, fds: list[int]) -> int:
    """In the forked copy: take the step's descriptors, directory and environment, run it and
    send its exit status."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgid(0, 0)  # signals reach the run through its step only, once
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
    """A signal forwarded by the step is raised here; a step gone away stops the run.

    The signal goes to the run's main thread (``pthread_kill``): sent to the process, the kernel
    may hand it to this thread instead, and then a notebook blocked in a system call (a sleep, a
    long read) would not be interrupted and would run on to its end."""
    main = threading.main_thread().ident
    assert main is not None
    while True:
        try:
            data = conn.recv(1)
        except OSError:
            data = b""
        if not data:
            signal.pthread_kill(main, signal.SIGTERM)
            return
        signal.pthread_kill(main, data[0])


def step(argv: list[str]) -> int:
    """A notebook step of the Makefile (``python -I -S warm.py --step ARGV``, ARGV as
    :mod:`dprk_russia.build.run` takes them): the run goes to the build's warm process; where
    there is none to be had, this process becomes ``python -m dprk_russia.build.run ARGV``,
    which runs it on a kernel. Started this way, by path and with the standard library only, a
    step hands its notebook over 25 ms sooner than through the package (its imports and
    site-packages) and costs that much less CPU."""
    status = delegate(argv)
    if status is not None:
        return status
    os.execv(sys.executable, [sys.executable, "-m", "dprk_russia.build.run", *argv])


if __name__ == "__main__":
    if sys.argv[1] == "--step":  # run by path with the venv's python -I -S (standard library only)
        sys.exit(step(sys.argv[2:]))
    if sys.argv[1] == "--end":  # run by path with the venv's python -I -S (standard library only)
        end(sys.argv[2])
        sys.exit(0)
    if sys.argv[1] == "--spawn":  # run by path with the venv's python -S, as validation starts
        spawn(sys.argv[2])
        sys.exit(0)
    status = serve(sys.argv[1], int(sys.argv[2]))
    # at once: no interpreter tear-down (a second or so of freeing pandas and matplotlib on a
    # busy machine), so the server is gone within milliseconds of its build
    os._exit(status)
