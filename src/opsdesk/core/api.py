"""API plumbing shared by every app's router: the NinjaAPI factory, token auth, error mapping.

(Filled in by the API work: ETag/If-Match helpers, cursor pagination, error handlers.)
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from ninja import NinjaAPI


def build_api(routers: list[tuple[str, str]]) -> NinjaAPI:
    api = NinjaAPI(title="opsdesk API", version="1", urls_namespace="api")
    for prefix, dotted in routers:
        try:
            router = import_string(dotted)
        except ImportError:
            continue
        api.add_router(prefix, router)
    return api
