"""The KPI set each dashboard page computes, as the benchmark replays it.

A page asks for several KPI frames (totals, by facility, trends by period, the previous period for
comparison arrows); a page's set is what it takes to draw it with the filter bar's default choice
(the last three months, every facility of the user's scope) for an admin.
"""

from dataclasses import dataclass, replace
from datetime import date

from rehabdata.kpis import Dimension, Filters
from rehabdata.periods import previous_period


@dataclass(frozen=True)
class KpiCall:
    """One KPI frame a page asks for: ``kpis.KPI_FUNCTIONS[name](session, filters, by)``."""

    name: str
    filters: Filters
    by: tuple[Dimension, ...] = ()


def page_sets(selection: Filters, agreements_from: date) -> dict[str, list[KpiCall]]:
    """Page → the KPI calls it makes for ``selection``; ``agreements_from``: the earliest signing."""
    start, end = previous_period(selection.start, selection.end)
    previous = replace(selection, start=start, end=end)
    headline = ("screening_coverage", "risk_distribution", "attendance_rate", "active_enrollments")
    since_signing = replace(selection, start=agreements_from)
    return {
        "overview": [
            KpiCall("overview_by_facility", selection, ("facility",)),
            *(KpiCall(name, selection) for name in headline),
            *(KpiCall(name, previous) for name in headline),
            *(KpiCall(name, selection, ("region", "period")) for name in headline[:3]),
        ],
        "screening": [
            KpiCall("risk_distribution", selection),
            KpiCall("referral_funnel", selection),
            KpiCall("screening_coverage", selection),
            KpiCall("screening_coverage", selection, ("facility", "period")),
            KpiCall("risk_distribution", selection, ("facility",)),
            KpiCall("substances_reported", selection),
        ],
        "rehabilitation": [
            KpiCall("enrollments_by_status", selection),
            KpiCall("attendance_rate", selection),
            KpiCall("programme_outcomes", selection),
            KpiCall("progress", selection),
            KpiCall("attendance_rate", selection, ("facility", "period")),
            KpiCall("programme_outcomes", selection, ("facility",)),
            KpiCall("progress", selection, ("facility",)),
        ],
        "comparison": [
            KpiCall("facility_comparison", selection, ("facility",)),
            KpiCall("region_comparison", selection, ("region",)),
        ],
        "agreement delivery": [
            KpiCall("agreement_delivery", selection),
            KpiCall("risk_distribution", since_signing, ("period",)),
            KpiCall("enrollments_by_status", since_signing, ("period",)),
            KpiCall("attendance_rate", since_signing, ("period",)),
            KpiCall("outreach_reach", since_signing, ("period",)),
        ],
    }
