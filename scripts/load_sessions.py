"""Load test without browsers: N sessions speak Streamlit's websocket protocol and log in at once.

    python scripts/load_sessions.py [--database URL | --scale-factor F] [--sessions 10] [--processes N]
    python scripts/load_sessions.py --url http://HOST:PORT [--sessions 10]

``load_browsers.py`` drives Chromium, whose first visit on this 2-core machine costs 7.5-10 s of CPU
(software rendering, no GPU; Playwright included) and so decides its figures. This script measures the other
part, the app server's, as a browser elsewhere would see it: each session opens the websocket a
browser opens (``/_stcore/stream``), asks for the first script run, reads the login form's widget
ids from the elements it receives, and, once every session has its form, all submit the demo
login at the same moment, as the form's button does. Per session it times

  form         from opening the websocket until the login form's script run has finished
  first KPI    from the submission until the message that adds the overview's first KPI figure
               (an ``st.metric`` with a value) has arrived: what the server adds to a browser's
               own rendering time
  complete     from the submission until the overview's script run has finished

Two waves (1: cold server, nothing cached; 2: warm, the KPI cache answers), and the RSS and CPU
time of the server's processes. Exits 1 when a session does not get its KPI within ``--timeout``.
Starting the app and generating data work as in ``load_browsers.py`` (``--processes N``: N app
processes behind nginx, as ``python -m rehabdata serve`` runs them).
"""

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402 - Streamlit's own dependency
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates  # noqa: E402

from rehabdata.demo import DEMO_PASSWORD  # noqa: E402
from rehabdata.i18n import t  # noqa: E402
from scripts.loadkit import (  # noqa: E402
    USERNAME,
    RssSampler,
    add_server_arguments,
    check_server_arguments,
    cpu_seconds,
    finish,
    holds_metric,
    mib,
    on_own_server,
    rss,
    run_in_own_loop,
    stats,
    wait_idle,
)

WAVES = 2
USERNAME_LABEL, PASSWORD_LABEL = t("login.username", "id"), t("login.password", "id")


@dataclass
class Session:
    """One session's timings in seconds (None: not reached), or the error that stopped it."""

    form_s: float | None = None
    first_kpi_s: float | None = None
    complete_s: float | None = None
    error: str | None = None


@dataclass
class Wave:
    sessions: list[Session]
    rss_peak: int | None
    cpu_s: float = 0.0


@dataclass
class Report:
    rss_idle: int | None
    waves: list[Wave] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return [
            f"wave {number}, session {index}: {session.error}"
            for number, wave in enumerate(self.waves, 1)
            for index, session in enumerate(wave.sessions, 1)
            if session.error
        ]


@dataclass
class LoginForm:
    """What a session learns from the login page's script run: the ids of the widgets to fill."""

    page_script_hash: str = ""
    username_id: str = ""
    password_id: str = ""
    submit_id: str = ""

    def note(self, message: ForwardMsg) -> None:
        if message.WhichOneof("type") == "new_session":
            self.page_script_hash = message.new_session.page_script_hash
        if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
            return
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "text_input" and element.text_input.label == USERNAME_LABEL:
            self.username_id = element.text_input.id
        elif kind == "text_input" and element.text_input.label == PASSWORD_LABEL:
            self.password_id = element.text_input.id
        elif kind == "button" and element.button.is_form_submitter:
            self.submit_id = element.button.id

    def submission(self) -> bytes:
        """The rerun a browser sends when the form's button is clicked: every field and the trigger."""
        states = WidgetStates(
            widgets=[
                WidgetState(id=self.username_id, string_value=USERNAME),
                WidgetState(id=self.password_id, string_value=DEMO_PASSWORD),
                WidgetState(id=self.submit_id, trigger_value=True),
            ]
        )
        client = ClientState(widget_states=states, page_script_hash=self.page_script_hash)
        return BackMsg(rerun_script=client).SerializeToString()


def _finished(message: ForwardMsg) -> bool:
    return message.WhichOneof("type") == "script_finished"


def _error_shown(message: ForwardMsg) -> str | None:
    """The text of an error the app shows (a refused login, the database unavailable), if any."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    element = message.delta.new_element
    if element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
        return element.alert.body
    return None


async def _session(url: str, ready: asyncio.Barrier, timeout_s: float) -> Session:
    """Open a session, wait for the login form, submit it with the others, time the overview."""
    session, form = Session(), LoginForm()
    try:
        async with asyncio.timeout(timeout_s):
            began = time.perf_counter()
            stream = url.replace("http", "ws", 1) + "/_stcore/stream"
            async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as socket:
                await socket.send(BackMsg(rerun_script=ClientState()).SerializeToString())
                async for payload in socket:
                    message = ForwardMsg.FromString(payload)
                    form.note(message)
                    if _finished(message):
                        break
                session.form_s = time.perf_counter() - began
                if not (form.username_id and form.password_id and form.submit_id):
                    raise RuntimeError("the first script run showed no login form")
                await ready.wait()
                submitted = time.perf_counter()
                await socket.send(form.submission())
                async for payload in socket:
                    if session.first_kpi_s is None and holds_metric(payload):
                        session.first_kpi_s = time.perf_counter() - submitted
                        continue
                    message = ForwardMsg.FromString(payload)
                    if (shown := _error_shown(message)) is not None:
                        raise RuntimeError(f"the app shows: {shown}")
                    if session.first_kpi_s is not None and _finished(message):
                        session.complete_s = time.perf_counter() - submitted
                        break
    except (TimeoutError, OSError, RuntimeError, websockets.WebSocketException) as error:
        session.error = f"{type(error).__name__}: {error}".strip()
    return session


async def _wave(url: str, pids: Collection[int], sessions: int, timeout_s: float) -> Wave:
    ready = asyncio.Barrier(sessions)
    with RssSampler(pids) as sampler:
        visits = await asyncio.gather(*(_session(url, ready, timeout_s) for _ in range(sessions)))
    return Wave(sessions=list(visits), rss_peak=sampler.peak)


async def _run(url: str, pids: Collection[int], sessions: int, waves: int, timeout_s: float) -> Report:
    report = Report(rss_idle=rss(pids))
    for number in range(1, waves + 1):
        used = cpu_seconds(pids)
        wave = await _wave(url, pids, sessions, timeout_s)
        # The next wave starts on an idle server, whose cache holds what this one computed.
        if pids:  # also counts the CPU the wave's script runs still use
            await wait_idle(pids, limit_s=10 * timeout_s)
        elif number < waves:
            await asyncio.sleep(2)
        wave.cpu_s = cpu_seconds(pids) - used
        report.waves.append(wave)
    return report


def run_sessions(
    url: str, pids: Collection[int], sessions: int, waves: int = WAVES, timeout_s: float = 60
) -> Report:
    """``waves`` waves of ``sessions`` protocol sessions logging in at once to the app at ``url``;
    ``pids``: the server's processes (none for a server elsewhere: RSS and CPU not measured)."""
    return run_in_own_loop(_run(url, pids, sessions, waves, timeout_s))


def format_report(report: Report) -> str:
    lines = [f"server RSS idle (no session yet): {mib(report.rss_idle)}"]
    for number, wave in enumerate(report.waves, 1):
        ok = [session for session in wave.sessions if not session.error]
        lines += [
            f"wave {number}: {len(ok)} of {len(wave.sessions)} sessions got their KPI",
            f"  {'':12}{'p50':>8}{'p95':>8}{'max':>8}",
        ]
        for label, attribute in (
            ("form", "form_s"),
            ("first KPI", "first_kpi_s"),
            ("complete", "complete_s"),
        ):
            values = [getattr(s, attribute) for s in wave.sessions if getattr(s, attribute) is not None]
            lines.append(f"  {label:12}{stats(values)}")
        if wave.rss_peak is not None:
            lines.append(f"  server RSS peak {mib(wave.rss_peak)}; server CPU {wave.cpu_s:.1f} s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_server_arguments(parser, sessions_help="sessions logging in at once", timeout_s=120)
    args = parser.parse_args()
    check_server_arguments(parser, args)
    if args.url:
        report = run_sessions(args.url, (), args.sessions, timeout_s=args.timeout)
        return finish(format_report(report), report.failures, alive=True, logs=None)

    def measure(url: str, pids: list[int]) -> tuple[str, list[str]]:
        print(f"{url}: {args.sessions} sessions log in at once, {WAVES} waves; {os.cpu_count()} CPUs")
        report = run_sessions(url, pids, args.sessions, timeout_s=args.timeout)
        return format_report(report), report.failures

    return on_own_server(args, measure)


if __name__ == "__main__":
    raise SystemExit(main())
