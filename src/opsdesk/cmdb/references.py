"""Which configuration items a CI may point at: a "reference to a CI" attribute, or its location.

A CI may refer to a CI of its own organisation or to one of the provider's (shared kit: the data centre,
the core routers), never to another customer's. Resolution goes through ``CI.objects.restrict(user)`` when
the acting user is known, so an id the user cannot see gets exactly the answer an unknown id gets: nobody
learns from an error message which ids exist elsewhere.

The model's ``clean`` applies the organisation rule on every save (forms, API, import, the system); the
import reads the classes of every CI a file names through the same rule, in bulk. A user rule would add
nothing for anyone who may write the CI: their scope always holds the CI's organisation and the provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

from opsdesk.accounts.choices import OrganisationKind


def allowed_targets(organisation_id: int | None, user: Any = None):
    """The CIs a CI of ``organisation_id`` may refer to, as ``user`` (``None``: the system) sees them."""
    from opsdesk.cmdb.models import CI

    qs = CI.objects.restrict(user) if user is not None else CI.objects.all()
    return qs.filter(Q(organisation_id=organisation_id) | Q(organisation__kind=OrganisationKind.PROVIDER))


def class_lookup(organisation_id: int | None, user: Any = None) -> Callable[[int], int | None]:
    """``pk -> class id`` of a CI that a CI of ``organisation_id`` may refer to; None for any other id."""
    targets = allowed_targets(organisation_id, user)
    return lambda pk: targets.filter(pk=pk).values_list("ci_class_id", flat=True).first()


def names(ids: Iterable[Any], user: Any) -> dict[int, Any]:
    """``{id: CI}`` for the given ids that ``user`` may see (for showing references as links)."""
    from opsdesk.cmdb.models import CI

    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return {}
    return {ci.pk: ci for ci in CI.objects.restrict(user).filter(pk__in=wanted).only("id", "name")}
