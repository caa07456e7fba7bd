"""No GET request writes to the database: every GET endpoint, as a visitor, a member and an admin.

The endpoints are discovered from the URL configuration, so a new endpoint is covered as soon
as it exists. Detail routes get the primary key of an existing row (demo data is loaded first).
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from app.accounts.models import User
from tests.conftest import token_client

pytestmark = pytest.mark.slow

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Parameters the walker cannot fill from a row; routes that need them are listed in `skipped`.
PK_PARAMS = {"pk", "id", "object_id"}


def as_route(pattern):
    """DRF router and admin regexes ("^users/(?P<pk>[^/.]+)/$") as path routes ("users/<pk>/")."""
    text = str(pattern)
    if not text.startswith("^"):
        return text
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text.strip("^$"))
    return None if "\\" in route or "(" in route else route  # format suffixes and other regex-only routes


def iter_patterns(patterns, prefix=""):
    for entry in patterns:
        route = as_route(entry.pattern)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            yield from iter_patterns(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.callback


def model_of(callback):
    view_class = getattr(callback, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    model_admin = getattr(callback, "model_admin", None)
    return getattr(model_admin, "model", None)


def concrete_path(route, callback):
    """Turn a route into a path, or None when a parameter cannot be filled."""
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not params:
        return "/" + route
    if any(p not in PK_PARAMS for p in params):
        return None
    model = model_of(callback)
    row = model._default_manager.order_by("pk").first() if model is not None else None
    if row is None:
        return None
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(row.pk), route)


@pytest.fixture
def demo_data(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0, force=True)
    settings.DEBUG = False


def clients():
    from django.test import Client

    admin = User.objects.get(email="admin@example.com")
    member = User.objects.get(email="member@example.com")
    admin_session = Client()
    admin_session.force_login(admin)
    every = {
        "anonymous": Client(),
        "member (token)": token_client(member),
        "admin (token)": token_client(admin),
        "admin (session)": admin_session,
    }
    for client in every.values():
        client.raise_request_exception = False  # report every failing path, not the first
    return every


def test_no_get_endpoint_writes(demo_data):
    routes = list(iter_patterns(get_resolver().url_patterns))
    paths = sorted({p for p in (concrete_path(r, c) for r, c in routes) if p})
    assert "/api/organizations/" in paths and "/healthz" in paths and "/admin/accounts/user/" in paths
    detail = [p for p in paths if re.search(r"/\d+/", p)]
    assert detail, "no detail route was filled in: the walker would miss them"

    failures = []
    for who, client in clients().items():
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            writes = [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]
            if writes:
                failures.append(f"{who} GET {path}: {writes[0][:120]}")
            if response.status_code >= 500:
                failures.append(f"{who} GET {path}: HTTP {response.status_code}")
    assert not failures, "\n".join(failures)
