"""The 90th percentile the database computes is the nearest-rank one, for any number of clocks."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from opsdesk.incidents.models import Incident
from opsdesk.reports.compliance import Selection, compliance

from .conftest import at


def nearest_rank(values: list[int], percent: int = 90) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(percent / 100 * len(ordered)) - 1]


@pytest.mark.parametrize("count", [1, 2, 9, 10, 11, 23])
def test_p90_is_the_nearest_rank_percentile(world, travel, acme_sla, count):
    travel(at(3, 3, 9))
    rng = random.Random(count)
    values = [rng.randrange(60, 50_000) for _ in range(count)]
    for value in values:
        incident = world.incident(workgroup=world.service_desk)
        # The stored outcome of a stopped clock, as incidents.clocks leaves it.
        Incident.objects.filter(pk=incident.pk).update(
            resolution_state="stopped", resolution_used_seconds=value, resolution_breached=False
        )
    march = dt.date(2025, 3, 1)
    report = compliance(world.manager, Selection(first=march, last=march, by=("priority",)))
    assert report.total.resolution.p90_seconds == nearest_rank(values)
    assert report.rows[0].resolution.p90_seconds == nearest_rank(values)
    assert report.total.resolution.mean_seconds == pytest.approx(sum(values) / count)
