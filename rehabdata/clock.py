"""Today's date where the users are (Indonesia), not in the server's time zone.

A server on UTC is still on yesterday until 07:00 WIB; forms that refuse future dates would then
refuse today's screenings. ``REHAB_TIMEZONE`` names the zone (default ``Asia/Jakarta``, WIB;
``Asia/Makassar`` for WITA, ``Asia/Jayapura`` for WIT). ``REHAB_TODAY`` (an ISO date) pins the
date for a whole run: the test suite sets it so a run crossing midnight sees one date throughout,
and a presenter can show the dashboard as of a past day.
"""

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Jakarta"


ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone() -> ZoneInfo:
    """The users' time zone (``REHAB_TIMEZONE``, default WIB)."""
    return ZoneInfo(os.environ.get("REHAB_TIMEZONE") or DEFAULT_TIMEZONE)


def zone_name() -> str:
    """WIB, WITA or WIT (another zone: its own abbreviation), as the users write it."""
    key = os.environ.get("REHAB_TIMEZONE") or DEFAULT_TIMEZONE
    return ZONE_NAMES.get(key) or datetime.now(zone()).strftime("%Z")


def local(moment: datetime) -> datetime:
    """A stored time (aware UTC; naive is UTC too) in the users' time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone())


def today() -> date:
    """The current date in the users' time zone (or the pinned ``REHAB_TODAY``)."""
    pinned = os.environ.get("REHAB_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(zone()).date()
