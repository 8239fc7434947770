"""Personas shared by every test: a provider and two customers, staff of different workgroups, customer
users and managers. Tests say who acts ("customer of Acme", "agent of Network") rather than building users.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass

import pytest
from django.test import Client

from opsdesk.accounts import services as accounts
from opsdesk.accounts.choices import OrganisationKind, Role
from opsdesk.accounts.models import Site
from opsdesk.core.context import acting_as
from opsdesk.incidents import services as incidents

PASSWORD = "correct-horse-battery-9"


def subprocess_env(data_dir, **extra) -> dict[str, str]:
    """The environment for running ``opsdesk`` in a child process: this one's, without our settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPSDESK_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(OPSDESK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="opsdesk.settings", **extra)
    return env


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    provider: object
    acme: object
    globex: object
    acme_site: object
    admin: object
    manager: object
    agent: object  # Service Desk member
    net_agent: object  # Network member
    acme_only_agent: object  # Service Desk member limited to Acme
    acme_user: object
    acme_user2: object
    acme_manager: object
    globex_user: object
    service_desk: object
    network: object

    def incident(self, org=None, requester=None, by=None, **fields):
        org = org or self.acme
        requester = requester or (self.acme_user.person if org == self.acme else self.globex_user.person)
        fields.setdefault("title", "Outlook cannot connect")
        with acting_as(by or self.agent, "web"):
            return incidents.create_incident(
                by=by or self.agent, organisation=org, requester=requester, **fields
            )

    def act(self, incident, action, by=None, **params):
        by = by or self.agent
        if action == "accept":
            # Accepting records how the customer was contacted; tests about that pass their own note.
            params.setdefault("note", "Phoned the requester")
        with acting_as(by, "web"):
            return incidents.transition(incident, action, by=by, **params)


def _login(org, name, role, username, site=None, limited_to=None):
    person = accounts.create_person(
        organisation=org, full_name=name, email=f"{username}@{org.short_name}.example", site=site
    )
    return accounts.create_login(
        person=person, username=username, password=PASSWORD, role=role, limited_to=limited_to
    )


@pytest.fixture
def world(db) -> World:
    with acting_as(None, "system"):
        provider = accounts.create_organisation(
            name="Company X", short_name="cx", kind=OrganisationKind.PROVIDER
        )
        acme = accounts.create_organisation(name="Acme Ltd", short_name="acme")
        globex = accounts.create_organisation(name="Globex plc", short_name="globex")
        acme_site = accounts.crud.create(Site, organisation=acme, name="Leeds HQ")
        admin = _login(provider, "Ada Admin", Role.ADMIN, "admin")
        manager = _login(provider, "Mona Manager", Role.MANAGER, "manager")
        agent = _login(provider, "Sam Desk", Role.AGENT, "sam")
        net_agent = _login(provider, "Nora Network", Role.AGENT, "nora")
        acme_only = _login(provider, "Lena Limited", Role.AGENT, "lena", limited_to=[acme])
        acme_user = _login(acme, "Alice Acme", Role.CUSTOMER, "alice", site=acme_site)
        acme_user2 = _login(acme, "Bob Acme", Role.CUSTOMER, "bob", site=acme_site)
        acme_manager = _login(acme, "Carol Acme", Role.CUSTOMER_MANAGER, "carol")
        globex_user = _login(globex, "Gus Globex", Role.CUSTOMER, "gus")
        service_desk = accounts.create_workgroup(
            name="Service Desk", email="desk@cx.example", lead=manager, members=[agent, acme_only]
        )
        network = accounts.create_workgroup(
            name="Network", email="net@cx.example", lead=net_agent, members=[net_agent]
        )
    return World(
        provider,
        acme,
        globex,
        acme_site,
        admin,
        manager,
        agent,
        net_agent,
        acme_only,
        acme_user,
        acme_user2,
        acme_manager,
        globex_user,
        service_desk,
        network,
    )


@pytest.fixture
def login(client):
    """``login(user)`` -> a Django test client logged in as that user."""

    def _login_as(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login_as


class ApiClient:
    """A JSON client authenticating with a bearer token, as an integration would."""

    def __init__(self, raw_token: str):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}

    def _send(self, method, path, data=None, headers=None, raw=None):
        extra = {**self.auth, **(headers or {})}
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs = {"content_type": "application/json"} if body is not None else {}
        if body is not None:
            kwargs["data"] = body
        return getattr(self.client, method)(path, **kwargs, **extra)

    def get(self, path, **kw):
        return self._send("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self._send("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self._send("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self._send("put", path, data, **kw)

    def delete(self, path, **kw):
        return self._send("delete", path, **kw)


@pytest.fixture
def api(db):
    """``api(user)`` -> an :class:`ApiClient` with a fresh bearer token for that user."""

    def _for(user) -> ApiClient:
        with acting_as(None, "system"):
            _token, raw = accounts.create_token(user, "test")
        return ApiClient(raw)

    return _for


def pytest_collection_modifyitems(config, items):
    if os.environ.get("OPSDESK_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="OPSDESK_SKIP_BROWSER=1")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


# --- browser tests: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright ------------

CHROMIUM = os.environ.get("OPSDESK_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("OPSDESK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
    # are still synchronous and safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()
