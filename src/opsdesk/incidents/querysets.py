from __future__ import annotations

from django.db.models import Q

from opsdesk.core.tenancy import RestrictedQuerySet
from opsdesk.incidents.choices import OPEN_STATUSES, Status


class IncidentQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def unaccepted(self):
        return self.filter(status__in=(Status.NEW, Status.ASSIGNED))

    def owned_by(self, user):
        return self.filter(owner=user)

    def for_workgroups_of(self, user):
        return self.filter(workgroup__members=user)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        number = text.upper().removeprefix("INC-").lstrip("0")
        q = Q(title__icontains=text) | Q(description__icontains=text)
        if number.isdigit():
            q |= Q(pk=int(number))
        return self.filter(q)

    def for_list(self):
        """Everything a list shows, in a number of queries that does not grow with the page: the requester
        is joined; organisation, workgroup, owner and categories come by prefetch (a small query each).
        Joining all of them made PostgreSQL spend 30-40 ms planning a query that runs in under 2 ms."""
        return self.select_related("requester").prefetch_related(
            "organisation", "workgroup", "owner", "category", "subcategory"
        )


class CommentQuerySet(RestrictedQuerySet):
    def public(self):
        return self.filter(is_public=True)
