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


def today() -> date:
    """The current date in the users' time zone (or the pinned ``REHAB_TODAY``)."""
    pinned = os.environ.get("REHAB_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(ZoneInfo(os.environ.get("REHAB_TIMEZONE") or DEFAULT_TIMEZONE)).date()
