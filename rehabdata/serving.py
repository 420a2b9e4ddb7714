"""Serve the dashboard: ``streamlit run`` processes, alone or several behind nginx.

One Streamlit process runs every session's script in one Python interpreter, and it also serves the
frontend's files (about 20 MB of JavaScript, uncompressed, to each new browser). A Kanwil or the
Directorate General runs several processes instead, behind a load balancer: ``serve`` starts
``processes`` app processes on free loopback ports and Debian's nginx in front of them, which

- serves the frontend's files itself, compressed once per Streamlit version (22.8 MB of JavaScript
  become 6.9 MB for a browser's first visit, over a Rutan's slow line too) and cacheable for a year
  (their names carry a content hash), so the Python processes only run scripts;
- pins each browser to one app process with a ``rehab_route`` cookie (a session's websocket, its
  uploads and its downloads must all reach the process that holds the session); a process that
  stops answering is skipped (its sessions log in again on another);
- says which process answered in an ``X-Rehab-Upstream`` header, for operators and tests.

Every process reads and writes the same database; their KPI caches are keyed on the data version
stored there (``ui.data``), so no process shows data older than another's last write. They share
one ``server.cookieSecret``, so Streamlit's XSRF cookie is valid whichever process checks it.

This module never imports streamlit: it starts processes.
"""

import gzip
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HEALTH_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
MIME_TYPES = Path("/etc/nginx/mime.types")
ROUTE_COOKIE = "rehab_route"
UPSTREAM_HEADER = "X-Rehab-Upstream"
COMPRESSIBLE = {".js", ".css", ".json", ".svg"}
STATIC_CACHE = REPO_ROOT / ".cache"


class ServerError(RuntimeError):
    """A process did not start or did not become healthy (the message says why, with its log's tail)."""


@dataclass(frozen=True)
class Server:
    """A running app: its base URL and the ``streamlit run`` process."""

    url: str
    process: subprocess.Popen


@dataclass(frozen=True)
class Cluster:
    """App processes behind nginx: the one URL browsers use, nginx, and each app process."""

    url: str
    nginx: subprocess.Popen
    apps: tuple[Server, ...]


def _check_free(address: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as error:
            raise ServerError(
                f"port {port} is in use on {address or 'every address'}: {error.strerror}"
            ) from None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(url: str) -> bool:
    """Whether Streamlit's health endpoint answers 200 at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_healthy(name: str, url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"{name} exited with code {process.returncode}; log tail:\n{log_tail(log_path)}"
            )
        if is_healthy(url):
            return
        time.sleep(0.25)
    raise ServerError(
        f"{name} not healthy at {url} after {HEALTH_TIMEOUT_S} s; log tail:\n{log_tail(log_path)}"
    )


def stop(process: subprocess.Popen) -> None:
    """Ask a process to end (SIGTERM), and kill it if it has not within a few seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """``streamlit run app.py`` (dashboard.py with the login-cookie and health routes) on
    ``address:port``, headless, without a file watcher (a served app does not reload its code)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def _pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that pins the new process (and every thread it starts) to ``cpus``."""
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


@contextmanager
def app_server(
    env: Mapping[str, str], log_path: Path, port: int | None = None, cpus: set[int] | None = None
) -> Iterator[Server]:
    """One app process on 127.0.0.1, healthy until the block ends; its output goes to ``log_path``.

    ``env`` is the whole environment (``REHAB_DATABASE_URL`` and the like). ``cpus``: pin the
    process and every thread it will start to these CPUs (Linux).
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            app_command(port),
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_pinned(cpus),
        )
        try:
            _wait_healthy("streamlit", url, process, log_path)
            yield Server(url=url, process=process)
        finally:
            stop(process)


def streamlit_static_dir() -> Path:
    """The directory of the frontend's files that Streamlit serves (``index.html``, ``static/``)."""
    spec = find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError("streamlit is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def nginx_executable() -> str:
    """nginx on PATH or in /usr/sbin; a readable error when it is not installed."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ServerError("nginx is not installed: apt-get install -y nginx (Debian)")
    return found


def precompressed_static(static_dir: Path, cache: Path = STATIC_CACHE) -> Path:
    """A copy of Streamlit's ``static/`` tree ready for nginx's ``gzip_static``: beside each
    compressible file its ``.gz``, compressed once per Streamlit version (about a second) and kept
    in ``cache``."""
    source_root = static_dir / "static"
    mirror = cache / f"static-{version('streamlit')}"
    if mirror.is_dir():
        return mirror
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
    for source in source_root.rglob("*"):
        if not source.is_file():
            continue
        target = building / source.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if source.suffix in COMPRESSIBLE:
            compressed = gzip.compress(source.read_bytes(), compresslevel=6, mtime=0)
            target.with_name(f"{target.name}.gz").write_bytes(compressed)
    try:
        building.rename(mirror)  # whole or not at all; another server starting may have won
    except OSError:
        shutil.rmtree(building)
    return mirror


def _worker_user() -> str:
    """nginx started by root serves as ``nobody``, who may not reach the files of the user running
    ``serve`` (a checkout in a private directory): its workers then run as that user, like the app
    processes. Started by another user, nginx cannot switch users and needs no directive."""
    return "user root;\n" if os.geteuid() == 0 else ""


def nginx_config(*, listen: str, app_ports: Sequence[int], directory: Path, static_root: Path) -> str:
    """An nginx configuration balancing ``app_ports`` on 127.0.0.1 and serving ``static_root`` at
    ``/static/``: nginx stays in the foreground and writes every file (pid, logs, temporary files)
    in ``directory``, so no system configuration is touched."""
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in app_ports
    )
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
{_worker_user()}worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
{temp}
    client_max_body_size 200m;  # Streamlit's own upload limit
    sendfile on;
    gzip_static on;  # the .gz beside each frontend file
    gzip on;  # what the app processes send (pages, host configuration)
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_types text/css application/javascript application/json image/svg+xml;

    # A browser keeps the process it was first sent to; a new one gets a random route.
    map $cookie_{ROUTE_COOKIE} $rehab_route {{
        "" $request_id;
        default $cookie_{ROUTE_COOKIE};
    }}
    # Behind the deployment's TLS nginx (deploy/nginx-rehabdata.conf) keep the scheme it saw.
    map $http_x_forwarded_proto $rehab_proto {{
        "" $scheme;
        default $http_x_forwarded_proto;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    upstream rehabdata_app {{
        hash $rehab_route consistent;
{servers}
    }}
    server {{
        listen {listen};
        location /static/ {{
            alias {static_root}/;
            add_header Cache-Control "public, immutable, max-age=31536000";
        }}
        location / {{
            proxy_pass http://rehabdata_app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $rehab_proto;  # the login cookie is Secure under TLS
            proxy_read_timeout 1d;  # a session's websocket stays open while its tab does
            proxy_buffering off;
            add_header Set-Cookie "{ROUTE_COOKIE}=$rehab_route; Path=/; HttpOnly; SameSite=Lax" always;
            add_header {UPSTREAM_HEADER} $upstream_addr always;
        }}
    }}
}}
"""


@contextmanager
def cluster(
    env: Mapping[str, str],
    directory: Path,
    *,
    processes: int = 2,
    port: int | None = None,
    address: str = "127.0.0.1",
    cpus: set[int] | None = None,
) -> Iterator[Cluster]:
    """``processes`` app processes behind nginx on ``address:port``, all healthy until the block
    ends. Logs, nginx's configuration and its temporary files go to ``directory``. ``cpus``: pin
    every process to these CPUs (Linux)."""
    if processes < 1:
        raise ValueError("at least one app process")
    nginx = nginx_executable()
    env = {**env, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    port = port or free_port()
    _check_free(address, port)  # else nginx would exit while another server answered the health check
    with ExitStack() as stack:
        apps = tuple(
            stack.enter_context(app_server(env, directory / f"app-{index + 1}.log", cpus=cpus))
            for index in range(processes)
        )
        config = directory / "nginx.conf"
        config.write_text(
            nginx_config(
                listen=f"{address}:{port}",
                app_ports=[int(app.url.rsplit(":", 1)[1]) for app in apps],
                directory=directory,
                static_root=precompressed_static(streamlit_static_dir()),
            )
        )
        log_path = directory / "nginx.log"
        with log_path.open("wb") as log:
            balancer = subprocess.Popen(
                [nginx, "-c", str(config), "-p", str(directory), "-e", str(directory / "nginx-error.log")],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_pinned(cpus),
            )
        stack.callback(stop, balancer)
        url = f"http://{'127.0.0.1' if address in ('0.0.0.0', '') else address}:{port}"
        _wait_healthy("nginx", url, balancer, directory / "nginx-error.log")
        yield Cluster(url=url, nginx=balancer, apps=apps)


def serve_forever(env: Mapping[str, str], *, processes: int, port: int, address: str) -> int:
    """``python -m rehabdata serve``: run a cluster until Ctrl-C or SIGTERM (0), or until nginx or
    every app process has stopped (1). An app process that stops is reported; nginx sends its
    browsers to the others."""
    # SIGTERM unwinds like Ctrl-C, so that the processes are stopped too.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with tempfile.TemporaryDirectory(prefix="rehab-serve-") as tmp:
            with cluster(env, Path(tmp), processes=processes, port=port, address=address) as running:
                print(f"rehabdata: {processes} app processes behind nginx at {running.url}", flush=True)
                _watch(running)
                print("error: the cluster stopped serving", file=sys.stderr)
                return 1
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _watch(running: Cluster) -> None:
    """Return once nginx or every app process has stopped; report each app process that stops."""
    reported: set[int] = set()
    while running.nginx.poll() is None and len(reported) < len(running.apps):
        stopped = {app.process.pid for app in running.apps if app.process.poll() is not None}
        for pid in sorted(stopped - reported):
            print(f"warning: app process {pid} stopped; the others go on", file=sys.stderr)
        reported = stopped
        time.sleep(1)
