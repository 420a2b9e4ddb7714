"""Helpers for the fault tests: row counts, bounded waits, a switchable TCP proxy and the import child.

Run as ``python -m tests.faults_support FILE`` (from the repository root, ``REHAB_DATABASE_URL``
set), this module is the child process that ``tests/test_faults.py`` kills: it runs the real command
``python -m rehabdata import FILE --kind screenings`` with two SQLAlchemy event hooks and no change
to the product code:

- when the first ``INSERT INTO screening`` is sent it prints ``WRITING <backend pid>`` (PostgreSQL's
  server process id, ``-`` on SQLite);
- when that transaction is about to commit it prints ``PAUSED <tables written>`` and waits instead
  (at most ``PAUSE_SECONDS``, then exits without committing). The parent kills it either as soon as
  it writes or at that pause, holding every row, audit row and version bump of the import; the pause
  also keeps a late kill (a busy machine) from finding the import committed.
"""

import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, event, func, inspect, select, table

ROOT = Path(__file__).resolve().parent.parent
PAUSE_SECONDS = 120
T = TypeVar("T")


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table (a fresh inspection: tables added by migrations count too), plus the
    data version counter's value (one row in any case, so its count alone says nothing)."""
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }
        counts["data_version.version"] = connection.exec_driver_sql(
            "SELECT version FROM data_version WHERE id = 1"
        ).scalar_one()
    return counts


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``condition`` until it returns something truthy; fail saying ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --- the child process -------------------------------------------------------------------------


class Child:
    """A running ``python -m tests.faults_support`` child whose stdout lines are read by a thread."""

    def __init__(self, args: list[str], env: dict[str, str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults_support", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)  # end of output: the child exited

    def expect(self, prefix: str, timeout: float) -> str:
        """The rest of the first output line starting with ``prefix``; fail (with stderr) otherwise."""
        deadline = time.monotonic() + timeout
        seen = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self.process.wait(timeout=10)
                raise AssertionError(
                    f"the child exited ({self.process.returncode}) before printing {prefix!r}; "
                    f"stdout {seen}, stderr:\n{self.stderr()}"
                )
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
            seen.append(line)
        raise AssertionError(
            f"no {prefix!r} from the child within {timeout:.0f} s; stdout {seen}, stderr:\n{self.stderr()}"
        )

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-4000:]

    def kill(self) -> int:
        """SIGKILL the child and reap it; its exit code."""
        self.process.kill()
        return self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._stderr.close()


def start_import_child(database_url: str, csv_path: Path, stderr_path: Path) -> Child:
    """Start the hooked ``python -m rehabdata import csv_path --kind screenings`` on ``database_url``."""
    env = {**os.environ, "REHAB_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    return Child([str(csv_path)], env, stderr_path)


def _child_main(csv_path: str) -> int:
    from rehabdata.cli import main

    written: list[str] = []

    @event.listens_for(Engine, "before_cursor_execute")
    def _watch(_connection, cursor, statement, _parameters, _context, _executemany) -> None:
        words = statement.split(None, 3)
        if len(words) < 3 or words[0].upper() not in {"INSERT", "UPDATE"}:
            return
        name = (words[2] if words[0].upper() == "INSERT" else words[1]).strip('"')
        if name == "screening" and not written:
            info = getattr(cursor.connection, "info", None)  # psycopg: the server process of the session
            print(f"WRITING {getattr(info, 'backend_pid', '-')}", flush=True)
        if (written or name == "screening") and name not in written:
            written.append(name)

    @event.listens_for(Engine, "commit")
    def _pause(_connection) -> None:
        if written:
            print(f"PAUSED {','.join(written)}", flush=True)
            time.sleep(PAUSE_SECONDS)
            os._exit(3)  # never commit: the parent was meant to kill us long ago

    return main(["import", csv_path, "--kind", "screenings"])


# --- a TCP proxy that can be switched off --------------------------------------------------------


def _free_port() -> int:
    """A free port below the ephemeral range, so no outgoing connection takes it while the proxy is off."""
    for _ in range(200):
        port = random.randint(20_000, 30_000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 30000")


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; ``down()`` stops listening and cuts every connection.

    Down, a connection attempt is refused at once (nothing listens), as when the server is stopped.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._acceptor: threading.Thread | None = None

    @property
    def is_up(self) -> bool:
        return self._listener is not None

    def up(self) -> None:
        if self.is_up:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)  # the accept loop checks the stop flag this often
        self._listener, self._stop = listener, threading.Event()
        self._acceptor = threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True)
        self._acceptor.start()

    def down(self) -> None:
        """Stop listening and close every forwarded connection (both ends)."""
        if not self.is_up:
            return
        self._stop.set()
        assert self._acceptor is not None
        self._acceptor.join(timeout=5)
        assert self._listener is not None
        self._listener.close()
        self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if stop.is_set():
                    _close(client)
                    _close(server)
                    return
                self._sockets |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _close(sock)
            with self._lock:
                self._sockets -= {source, sink}


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv on this socket
    except OSError:
        pass
    sock.close()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1]))
