"""API plumbing shared by every app's router: the NinjaAPI factory, authentication, the actor context,
error mapping, ETag/If-Match helpers, keyset (cursor) pagination and safe file downloads.

Every app declares a ninja ``Router`` in ``<app>/api.py``; ``opsdesk.api`` mounts them with
:func:`build_api`. Handlers only parse input, look objects up through ``.restrict(user)``, call services
and render; the mapping of domain errors to HTTP codes lives here, once.
"""

import datetime as dt
import functools
import importlib.util
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Query, Router, Schema, Status, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict, create_model

from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject, protected_message
from opsdesk.core.pagination import BadCursor, keyset_page

# --- errors -----------------------------------------------------------------------------------------------


class ApiError(HttpError):
    """An HTTP error with the standard body ``{"detail": ..., "errors": {field: [messages]}}``."""

    def __init__(self, status_code: int, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(status_code, detail)
        self.errors = errors or {}


class Conflict(ApiError):
    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(409, detail, errors)


def not_found(what: str = "object") -> ApiError:
    return ApiError(404, f"No such {what}.")


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# The error answers every route may give, for the OpenAPI document (``response={200: X, **ERRORS}``).
ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 409, 412, 413, 422)}


def _error(api: NinjaAPI, request, status: int, detail: str, errors=None, headers=None) -> HttpResponse:
    response = api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc: Iterable[Any], body_params: set[str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form", "file", "cookie"):
        source = parts.pop(0)
        if source in ("body", "form", "file") and parts and parts[0] in body_params:
            parts.pop(0)
    return ".".join(parts) or "body"


_CHALLENGE = 'Bearer realm="opsdesk"'
_MESSAGES = {
    "extra_forbidden": "Unknown or read-only field.",
    "missing": "This field is required.",
}


def _validation_errors(exc: NinjaValidationError) -> tuple[int, str, dict[str, list[str]]]:
    """ninja's (pydantic's) errors -> 422 with each field named; a body that is not an object -> 400."""
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = tuple(item.get("loc", ()))
        kind = item.get("type", "")
        if (
            loc
            and loc[0] == "body"
            and len(loc) <= 2
            and kind in ("missing", "model_attributes_type", "dict_type")
        ):
            return 400, "The request body must be a JSON object.", {}
        name = _field_name(loc, {"payload"})
        errors.setdefault(name, []).append(_MESSAGES.get(kind, item.get("msg", "Invalid value.")))
    return 422, "Some fields are not valid.", errors


def _django_validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("body" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    return {"body": list(exc.messages)}


def install_error_handlers(api: NinjaAPI) -> None:
    def handle(exc_class):
        def register(func: Callable[[HttpRequest, Any], HttpResponse]):
            api.add_exception_handler(exc_class, func)
            return func

        return register

    @handle(ApiError)
    def _api_error(request, exc: ApiError):
        headers = {"WWW-Authenticate": _CHALLENGE} if exc.status_code == 401 else None
        return _error(api, request, exc.status_code, exc.message, exc.errors, headers=headers)

    @handle(AuthenticationError)
    def _unauthenticated(request, exc):
        return _error(
            api,
            request,
            401,
            "Authentication required: send 'Authorization: Bearer <token>' or log in.",
            headers={"WWW-Authenticate": _CHALLENGE},
        )

    @handle(HttpError)
    def _http_error(request, exc: HttpError):
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = "The request body is not valid JSON."
        return _error(api, request, exc.status_code, detail)

    @handle(NinjaValidationError)
    def _ninja_validation(request, exc: NinjaValidationError):
        status, detail, errors = _validation_errors(exc)
        return _error(api, request, status, detail, errors)

    @handle(ValidationError)
    def _validation(request, exc: ValidationError):
        return _error(api, request, 422, "Some fields are not valid.", _django_validation_errors(exc))

    @handle(IllegalTransition)
    def _illegal(request, exc: IllegalTransition):
        return _error(api, request, 409, str(exc), {"status": [str(exc)]})

    @handle(StaleObject)
    def _stale(request, exc: StaleObject):
        return _error(api, request, 412, str(exc))

    @handle(PermissionDenied)
    def _denied(request, exc):
        return _error(api, request, 403, str(exc) or "You may not do that.")

    @handle(DjangoPermissionDenied)
    def _django_denied(request, exc):
        return _error(api, request, 403, str(exc) or "You may not do that.")

    @handle(ObjectDoesNotExist)
    def _missing(request, exc):
        return _error(api, request, 404, "Not found.")

    @handle(Http404)
    def _http404(request, exc):
        return _error(api, request, 404, "Not found.")

    @handle(ProtectedError)
    def _protected(request, exc):
        return _error(api, request, 409, protected_message(exc))

    @handle(RestrictedError)
    def _restricted(request, exc):
        return _error(api, request, 409, protected_message(exc))

    @handle(RequestDataTooBig)
    def _too_big(request, exc):
        return _error(api, request, 413, "The request body is too large.")


# --- authentication and the actor context ----------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a presented token that does not work is a 401, never a fallback."""

    def __init__(self, authenticate_token: Callable[[str], Any] | None = None):
        super().__init__()
        self.authenticate_token = authenticate_token

    def authenticate(self, request, token):
        user = self.authenticate_token(token.strip()) if self.authenticate_token else None
        if user is None:
            raise ApiError(401, "The API token is invalid or has been revoked.")
        request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session; ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def act_as_caller(view_func: Callable) -> Callable:
    """Run the handler as the authenticated user on the ``api`` channel, so audit rows say ``api``."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        with acting_as(getattr(request, "auth", None), "api"):
            return view_func(request, *args, **kwargs)

    return wrapper


# --- ETag / If-Match ---------------------------------------------------------------------------------------

_ETAG = re.compile(r'^(?:W/)?"(?P<pk>[^"-]+)-(?P<version>\d+)"$')


def set_etag(response: HttpResponse, obj: Model) -> None:
    response["ETag"] = obj.etag


def created(response: HttpResponse, obj: Model, path: str, body: Any = None) -> Status:
    """The 201 answer for a new object: its ETag, and its ``Location`` relative to the API root
    (``incidents/INC-000042``); the body is ``obj`` itself unless given."""
    set_etag(response, obj)
    response["Location"] = reverse("api:api-root") + path
    return Status(201, obj if body is None else body)


def expected_version(request: HttpRequest, obj: Model) -> int | None:
    """The version the client claims to have seen (``If-Match: "<pk>-<version>"``), or ``None``.

    An ``If-Match`` naming another object or an unparsable tag cannot match: 412, nothing is changed.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions = []
    for tag in (part.strip() for part in header.split(",")):
        match = _ETAG.match(tag)
        if match and match["pk"] == str(obj.pk):
            versions.append(int(match["version"]))
    if not versions:
        raise StaleObject(getattr(obj, "version", 0))
    current = getattr(obj, "version", None)
    if len(versions) > 1 and current in versions:
        return current
    return versions[0]


def check_version(request: HttpRequest, obj: Model) -> int | None:
    """For requests that may write nothing: refuse a stale ``If-Match`` up front."""
    version = expected_version(request, obj)
    if version is not None and version != obj.version:
        raise StaleObject(obj.version)
    return version


# --- keyset (cursor) pagination --------------------------------------------------------------------------

_page_schemas: dict[type, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """``{"results": [item...], "next": url|null, "previous": url|null, "count": int|null}``."""
    if item not in _page_schemas:
        _page_schemas[item] = create_model(
            f"{item.__name__.removesuffix('Out')}Page",
            __base__=Schema,
            results=(list[item], ...),
            next=(str | None, None),
            previous=(str | None, None),
            count=(int | None, None),
        )
    return _page_schemas[item]


def paginate(
    request: HttpRequest,
    qs: QuerySet,
    order: list[str],
    *,
    limit: int,
    cursor: str | None = None,
    count: bool = False,
) -> dict[str, Any]:
    """One page of ``qs`` in ``order`` (ending with ``id`` or ``-id``) as ``{results, next, previous,
    count}``: the pages' keyset pagination (``core.pagination``), so the queue page and the API list the
    same rows in the same order. ``COUNT(*)`` only on request."""
    try:
        page = keyset_page(qs, order, cursor, limit)
    except BadCursor as exc:
        raise ApiError(422, str(exc), {"cursor": ["Start again without a cursor."]})

    def url(page_cursor: str | None) -> str | None:
        if not page_cursor:
            return None
        query = request.GET.copy()
        query["cursor"] = page_cursor
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "results": page.items,
        "next": url(page.next_cursor),
        "previous": url(page.prev_cursor),
        "count": qs.count() if count else None,
    }


# --- lookups ----------------------------------------------------------------------------------------------


def get_visible(qs: QuerySet, what: str, **lookup: Any) -> Any:
    """The object from a queryset already restricted to the user, or 404 (missing and not-yours alike)."""
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise not_found(what)
    return obj


def reference(qs: QuerySet, pk: int | None, field: str, what: str) -> Any:
    """Resolve an id given in a body field through a restricted queryset; unknown -> 422 on that field."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ApiError(422, "Some fields are not valid.", {field: [f"No such {what}: {pk}."]})
    return obj


def references(qs: QuerySet, pks: list[int], field: str, what: str) -> list[Any]:
    wanted = list(dict.fromkeys(pks))
    found = {obj.pk: obj for obj in qs.filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ApiError(422, "Some fields are not valid.", {field: [f"No such {what}: {', '.join(missing)}."]})
    return [found[pk] for pk in wanted]


# --- history (the audit log of one object) ------------------------------------------------------------------


class HistoryEntryOut(Schema):
    at: dt.datetime
    actor: str | None
    channel: str
    action: str
    changes: dict[str, Any]
    summary: str


def _history_entry(entry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor_name or None,
        "channel": entry.channel,
        "action": entry.action,
        "changes": entry.changes,
        "summary": entry.summary,
    }


def add_history_route(router: Router, path: str, find: Callable[[Any, int], Model], **options: Any) -> None:
    """Mount ``GET {path}/history`` on ``router``: the audit log of the object that ``find(user, id)``
    returns (through ``.restrict(user)``, so the same 404 as the object's own GET), oldest first, with the
    lists' cursor pagination. ``path`` ends with the id parameter (``/{sla_id}``); ``options`` go to
    ``router.get`` (``tags=...``)."""
    param = re.findall(r"{(\w+)}", path)[-1]

    def history(request, **kwargs):
        obj = find(request.auth, kwargs[param])
        page = paginate(
            request, history_for(obj), ["at", "id"], limit=kwargs["limit"], cursor=kwargs["cursor"]
        )
        page["results"] = [_history_entry(entry) for entry in page["results"]]
        return page

    keyword = inspect.Parameter.KEYWORD_ONLY
    history.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter(param, keyword, annotation=int),
            inspect.Parameter(
                "limit", keyword, annotation=int, default=Query(page_size_default(), ge=1, le=page_size_max())
            ),
            inspect.Parameter("cursor", keyword, annotation=str | None, default=None),
        ]
    )
    name = param.removesuffix("_id")
    history.__name__ = history.__qualname__ = f"{name}_history"
    history.__module__ = find.__module__
    history.__doc__ = (
        f"Every recorded change to the {name.replace('_', ' ')}: who, when, through which channel, "
        "and the field diff; oldest first."
    )
    router.get(f"{path}/history", response={200: page_of(HistoryEntryOut), **ERRORS}, **options)(history)


# --- input schemas and downloads ---------------------------------------------------------------------------


class InputSchema(Schema):
    """Request bodies: an unknown or read-only field is a 422 naming it, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- the API object ----------------------------------------------------------------------------------------


def build_api(routers: list[tuple[str, str]], token_authenticator: str | None = None) -> NinjaAPI:
    """The one NinjaAPI: ``routers`` are (prefix, dotted path of a Router); ``token_authenticator`` is the
    dotted path of ``f(raw_token) -> user | None`` (given by the caller: core knows no accounts)."""
    authenticate_token = import_string(token_authenticator) if token_authenticator else None
    api = NinjaAPI(
        title="opsdesk API",
        version="1",
        description=(
            "The opsdesk REST API. Authenticate with `Authorization: Bearer <token>` "
            "(`opsdesk token create USERNAME`) or a logged-in browser session (with CSRF). "
            'Errors are `{"detail": ..., "errors": {field: [messages]}}`.'
        ),
        urls_namespace="api",
        auth=[TokenAuth(authenticate_token), BrowserSessionAuth(csrf=True)],
        # Served from ninja's bundled static files (ninja is an installed app): no CDN, works offline.
        docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    )
    install_error_handlers(api)
    api.add_decorator(act_as_caller, mode="operation")
    for prefix, dotted in routers:
        if importlib.util.find_spec(dotted.rpartition(".")[0]) is None:
            continue  # that app has no API (yet); an error inside an existing module still surfaces
        api.add_router(prefix, import_string(dotted))
    return api


def page_size_default() -> int:
    return getattr(settings, "API_PAGE_SIZE_DEFAULT", 50)


def page_size_max() -> int:
    return getattr(settings, "API_PAGE_SIZE_MAX", 500)
