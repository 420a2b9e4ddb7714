"""``clock.today``: the users' date (WIB by default), pinned by ``REHAB_TODAY``."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from rehabdata import clock


@pytest.fixture
def unpinned(monkeypatch):
    monkeypatch.delenv("REHAB_TODAY", raising=False)
    monkeypatch.delenv("REHAB_TIMEZONE", raising=False)
    return monkeypatch


def test_pinned_date_wins(monkeypatch):
    monkeypatch.setenv("REHAB_TODAY", "2025-08-05")
    assert clock.today() == date(2025, 8, 5)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Jayapura", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_date_is_the_zones_not_the_servers(unpinned, zone):
    """The date where the users are, whatever the server's zone (zones up to 26 h apart)."""
    unpinned.setenv("REHAB_TIMEZONE", zone)
    before = datetime.now(ZoneInfo(zone)).date()
    assert clock.today() in {before, datetime.now(ZoneInfo(zone)).date()}


def test_default_zone_is_wib(unpinned):
    before = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert clock.today() in {before, datetime.now(ZoneInfo("Asia/Jakarta")).date()}
    assert clock.DEFAULT_TIMEZONE == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("zone", "name", "hour"),
    [("Asia/Jakarta", "WIB", 9), ("Asia/Makassar", "WITA", 10), ("Asia/Jayapura", "WIT", 11)],
)
def test_stored_times_are_shown_in_the_users_zone(monkeypatch, zone, name, hour):
    """A stored UTC time (aware, or naive as SQLite returns it) reads in REHAB_TIMEZONE's wall time."""
    monkeypatch.setenv("REHAB_TIMEZONE", zone)
    for stored in (datetime(2026, 2, 3, 2, 30, tzinfo=UTC), datetime(2026, 2, 3, 2, 30)):
        assert clock.local(stored).hour == hour
    assert clock.zone_name() == name
