"""Tenancy and role visibility, in one place.

Every query for user-visible data goes through ``Model.objects.restrict(user)``. A model says where its
organisation is (``tenant_path``) and may narrow further with a ``restrict_extra(qs, user)`` classmethod
(for example: a customer user sees only the incidents they requested). The user says which organisations
it may see through ``user.organisation_scope()``: ``None`` for all, else a set of organisation ids.
"""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user) -> RestrictedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        qs = self
        path = getattr(self.model, "tenant_path", None)
        if path is not None:
            scope = user.organisation_scope()
            if scope is not None:
                qs = qs.filter(**{f"{path}__in": list(scope)})
        extra = getattr(self.model, "restrict_extra", None)
        if extra is not None:
            qs = extra(qs, user)
        return qs
