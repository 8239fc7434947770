import itertools

import pytest

from opsdesk.incidents.choices import Impact, Urgency
from opsdesk.incidents.models import PriorityRule
from opsdesk.incidents.priority import priority_for

# The manual's table, written out cell by cell (rows: impact, columns: urgency).
MATRIX = {
    "severe": [0, 0, 1, 1, 2],
    "high": [0, 1, 1, 2, 2],
    "medium": [1, 1, 2, 2, 3],
    "low": [1, 2, 2, 3, 3],
    "none": [2, 2, 3, 3, 4],
}


@pytest.mark.parametrize("impact,urgency", list(itertools.product(Impact.values, Urgency.values)))
def test_default_matrix_cell(db, impact, urgency):
    assert priority_for(impact, urgency) == MATRIX[impact][Urgency.values.index(urgency)]


def test_manual_diagonal(db):
    assert [priority_for(i, u) for i, u in zip(Impact.values, Urgency.values, strict=True)] == [0, 1, 2, 3, 4]


def test_admin_can_edit_a_cell(world):
    PriorityRule.objects.filter(impact="low", urgency="immediate").update(priority=0)
    assert world.incident(impact="low", urgency="immediate").priority == 0


def test_email_defaults_to_priority_4(world):
    assert world.incident(channel="email").priority == 4


def test_priority_follows_impact_change(world):
    from opsdesk.incidents.services import update_incident

    inc = world.incident(impact="low", urgency="normal")
    assert inc.priority == 3
    inc = update_incident(inc, {"impact": "high", "urgency": "critical"}, by=world.agent)
    assert inc.priority == 1
