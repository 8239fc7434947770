import pytest

from opsdesk.core.context import acting_as
from opsdesk.sla import services
from opsdesk.sla.models import Calendar, Sla


def targets(response=30, resolution=120, **overrides):
    """All five priorities with the same targets; ``p2=(10, 20)`` overrides one priority."""
    rows = []
    for p in range(5):
        a, b = overrides.get(f"p{p}", (response, resolution))
        rows.append({"priority": p, "response_minutes": a, "resolution_minutes": b})
    return rows


@pytest.fixture
def standard(db) -> Sla:
    """The provider-wide default seeded by the migration."""
    return Sla.objects.get(name="Standard", organisation__isnull=True)


@pytest.fixture
def acme_gold(world) -> Sla:
    """Acme's own default SLA, round the clock."""
    with acting_as(world.manager, "web"):
        return services.create_sla(
            by=world.manager,
            name="Acme Gold",
            organisation=world.acme,
            is_default=True,
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(10, 60),
        )
