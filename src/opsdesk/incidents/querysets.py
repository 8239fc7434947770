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
        return self.select_related("organisation", "requester", "workgroup", "owner", "category")


class CommentQuerySet(RestrictedQuerySet):
    def public(self):
        return self.filter(is_public=True)
