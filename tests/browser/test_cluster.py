"""Several app processes behind nginx (``rehabdata.serving``, ``python -m rehabdata serve``).

Needs Debian's nginx besides Chromium: skipped without it, failed in CI (``REHAB_REQUIRE_BROWSER=1``).
"""

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from rehabdata.serving import (
    REPO_ROOT,
    ROUTE_COOKIE,
    UPSTREAM_HEADER,
    Cluster,
    ServerError,
    cluster,
    free_port,
    is_healthy,
    streamlit_static_dir,
)
from tests.browser.conftest import nginx_or_skip
from tests.browser.server import process_tree
from tests.browser.session import log_in, wait_for_figure

ROUTES = [f"route-{number}" for number in range(20)]


def _get(url: str, route: str | None = None, encoding: str | None = None):
    headers = {"Cookie": f"{ROUTE_COOKIE}={route}"} if route else {}
    if encoding:
        headers["Accept-Encoding"] = encoding
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.status, response.headers, response.read()


def _upstream(demo_cluster: Cluster, route: str) -> str:
    status, headers, _ = _get(f"{demo_cluster.url}/_stcore/health", route)
    assert status == 200
    return headers[UPSTREAM_HEADER]


def _app_address(demo_cluster: Cluster, index: int) -> str:
    return demo_cluster.apps[index].url.removeprefix("http://")


def test_nginx_serves_the_frontend_files_compressed_and_cacheable(demo_cluster):
    """The JavaScript the page loads comes from nginx (no app process), gzip-compressed, unchanged."""
    _, _, index_html = _get(f"{demo_cluster.url}/")
    script = re.search(rb'src="\./(static/js/[^"]+\.js)"', index_html).group(1).decode()

    status, headers, body = _get(f"{demo_cluster.url}/{script}", encoding="gzip")

    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert UPSTREAM_HEADER not in headers, "a frontend file should not reach an app process"
    assert "immutable" in headers["Cache-Control"]
    assert gzip.decompress(body) == (streamlit_static_dir() / script).read_bytes()


def test_a_browser_stays_on_its_process_and_browsers_are_spread(demo_cluster):
    """The same route cookie always reaches the same app process; different ones reach both."""
    first_answers = {route: _upstream(demo_cluster, route) for route in ROUTES}
    again = {route: _upstream(demo_cluster, route) for route in ROUTES}

    assert again == first_answers
    assert set(first_answers.values()) == {_app_address(demo_cluster, 0), _app_address(demo_cluster, 1)}


def test_a_new_browser_is_given_a_route(demo_cluster):
    """The first answer sets the route cookie that later requests are balanced on."""
    _, headers, _ = _get(f"{demo_cluster.url}/")
    assert re.match(rf"{ROUTE_COOKIE}=\w+; Path=/; HttpOnly", headers["Set-Cookie"])


def test_each_process_serves_the_dashboard_to_its_browsers(demo_cluster, browser):
    """A browser pinned to each app process logs in through nginx and sees the overview's KPIs."""
    routes = {_upstream(demo_cluster, route): route for route in ROUTES}
    for index in range(2):
        context = browser.new_context()
        context.add_cookies(
            [
                {
                    "name": ROUTE_COOKIE,
                    "value": routes[_app_address(demo_cluster, index)],
                    "url": demo_cluster.url,
                }
            ]
        )
        page = context.new_page()
        try:
            log_in(page, demo_cluster.url)
            wait_for_figure(page)
        finally:
            context.close()


def test_a_port_in_use_is_refused_before_anything_starts(demo_app, tmp_path):
    nginx_or_skip()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(ServerError, match=f"port {port} is in use"),
            cluster(os.environ, tmp_path, port=port),
        ):
            pass
    assert not list(tmp_path.glob("app-*.log")), "no app process should have been started"


def test_serve_runs_until_terminated_and_stops_its_processes(demo_app, tmp_path):
    """``python -m rehabdata serve``: answers at its port; SIGTERM stops nginx and every app process."""
    nginx_or_skip()
    port = free_port()
    env = {**os.environ, "REHAB_DATABASE_URL": demo_app.database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    command = [sys.executable, "-m", "rehabdata", "serve", "--processes", "2", "--port", str(port)]
    with subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True) as serve:
        try:
            announced = serve.stdout.readline()
            assert f"2 app processes behind nginx at http://127.0.0.1:{port}" in announced
            assert is_healthy(f"http://127.0.0.1:{port}")
            children = process_tree(serve.pid)[1:]
            assert len(children) >= 4  # two app processes, nginx's master and its worker
        finally:
            serve.send_signal(signal.SIGTERM)
            code = serve.wait(timeout=30)
    assert code == 0
    assert not is_healthy(f"http://127.0.0.1:{port}")
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)]


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def test_a_stopped_process_leaves_its_browsers_to_the_others(demo_app, tmp_path):
    """When an app process dies, nginx sends the browsers routed to it to another process."""
    nginx_or_skip()
    env = {**os.environ, "REHAB_DATABASE_URL": demo_app.database_url, "REHAB_DEMO_ON_EMPTY": "0"}
    with cluster(env, tmp_path, processes=2) as running:
        route = next(route for route in ROUTES if _upstream(running, route) == _app_address(running, 0))
        running.apps[0].process.kill()
        running.apps[0].process.wait()

        answered_by = [_upstream(running, route) for _ in range(3)]

    assert all(upstream.endswith(_app_address(running, 1)) for upstream in answered_by), answered_by
