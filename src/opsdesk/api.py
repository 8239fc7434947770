"""The REST API root: one NinjaAPI, one router per app (``<app>/api.py``)."""

from opsdesk.core.api import build_api

api = build_api(
    routers=[
        ("/incidents", "opsdesk.incidents.api.router"),
        ("/", "opsdesk.accounts.api.router"),
        ("/services", "opsdesk.catalogue.api.router"),
        ("/services", "opsdesk.sla.subscription_api.router"),
        ("/slas", "opsdesk.sla.api.router"),
        ("/calendars", "opsdesk.sla.calendar_api.router"),
        ("/cis", "opsdesk.cmdb.api.router"),
        ("/ci-classes", "opsdesk.cmdb.api.classes_router"),
        ("/ci-relationship-types", "opsdesk.cmdb.api.types_router"),
        ("/reports", "opsdesk.reports.api.router"),
    ],
    token_authenticator="opsdesk.accounts.services.authenticate_token",
)
