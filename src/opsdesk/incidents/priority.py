"""Priority from impact x urgency: an admin-editable matrix whose default is the operations manual's table.

The manual gives the diagonal (severe+immediate -> 0 ... none+negotiated -> 4); every other pair gets the
floor of the mean of the two ranks.
"""

from __future__ import annotations

from opsdesk.incidents.choices import Impact, Urgency

IMPACT_RANK = {value: rank for rank, value in enumerate(Impact.values)}
URGENCY_RANK = {value: rank for rank, value in enumerate(Urgency.values)}


def default_priority(impact: str, urgency: str) -> int:
    return (IMPACT_RANK[impact] + URGENCY_RANK[urgency]) // 2


def priority_for(impact: str, urgency: str) -> int:
    from opsdesk.incidents.models import PriorityRule

    if impact not in IMPACT_RANK or urgency not in URGENCY_RANK:
        raise ValueError(f"unknown impact/urgency {impact!r}/{urgency!r}")
    rule = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency).values_list("priority", flat=True).first()
    )
    return default_priority(impact, urgency) if rule is None else rule
