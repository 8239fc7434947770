"""One Service CI per catalogue service, kept in step with the catalogue.

A new catalogue service gets a CI of the Service class, owned by the provider and named like it; renaming
the service renames the CI (unless someone gave the CI a name of its own); going live installs it and
retiring the service retires it. Every change goes through ``cmdb.services`` as the user who changed the
catalogue, so it is checked and audited like any other CI edit, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service
from opsdesk.catalogue.signals import service_saved
from opsdesk.cmdb import services
from opsdesk.cmdb.choices import FINAL_STATUSES, CIStatus
from opsdesk.cmdb.models import CI, SERVICE_CLASS, CIClass

# The catalogue's lifecycle, as the CI's status.
STATUS_FOR = {
    ServiceStatus.PIPELINE: CIStatus.PROPOSED,
    ServiceStatus.LIVE: CIStatus.INSTALLED,
    ServiceStatus.RETIRED: CIStatus.RETIRED,
}


def service_ci(service: Service) -> CI | None:
    return CI.objects.filter(service=service).first()


def ensure_service_ci(service: Service, *, by=None) -> CI | None:
    """The service's CI, created (in the provider's organisation) if it has none yet. ``None`` when the
    CMDB has no Service class or there is no provider organisation (an empty installation)."""
    existing = service_ci(service)
    if existing is not None:
        return existing
    klass = CIClass.objects.filter(key=SERVICE_CLASS).first()
    provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("pk").first()
    if klass is None or provider is None:
        return None
    status = STATUS_FOR.get(service.status, CIStatus.PROPOSED)
    if status == CIStatus.RETIRED:
        status = CIStatus.PROPOSED  # a new CI cannot start retired; the service is not new either
    return services.create_ci(
        by=by, name=service.name, ci_class=klass, organisation=provider, service=service, status=status
    )


def follow_service(service: Service, previous: dict[str, Any], *, by=None) -> None:
    """Carry a catalogue change over to the service's CI."""
    ci = service_ci(service)
    if ci is None or ci.status in FINAL_STATUSES:
        return
    changes: dict[str, Any] = {}
    if "name" in previous and ci.name == previous["name"]:
        changes["name"] = service.name
    if "status" in previous:
        if service.status == ServiceStatus.RETIRED and ci.status != CIStatus.RETIRED:
            changes["status"] = CIStatus.RETIRED
        elif service.status == ServiceStatus.LIVE and ci.status == CIStatus.PROPOSED:
            changes["status"] = CIStatus.INSTALLED
    if changes:
        services.update_ci(ci, changes, by=by)


def _on_service_saved(sender, service, created=False, previous=None, by=None, **kwargs) -> None:
    if created:
        ensure_service_ci(service, by=by)
    else:
        follow_service(service, previous or {}, by=by)


service_saved.connect(_on_service_saved, dispatch_uid="cmdb-service-ci")
