"""An unreachable database is a 503 with Retry-After and a code wherever it is met, API or page,
and one warning line; a query's own error stays a 500 (a bug must not hide as "unavailable")."""

import logging

import psycopg2
from django.db import OperationalError, ProgrammingError
from django.test import RequestFactory

from app.core import errors


def _raised_from(error, cause):
    try:
        try:
            raise cause
        except Exception as inner:
            raise error from inner
    except Exception as outer:
        return outer


def test_a_connection_failure_met_outside_the_api_is_a_503_logged_once(caplog):
    request = RequestFactory().get("/sessions/")
    refused = _raised_from(OperationalError("connection refused"), psycopg2.OperationalError("connection refused"))
    with caplog.at_level(logging.WARNING, logger="app.core.errors"):
        try:
            raise refused
        except OperationalError:
            response = errors.server_error(request)  # as Django calls handler500, inside the except
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b'"code": "database_unavailable"' in response.content
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert getattr(response, "_has_been_logged", False)  # django.request does not log it again


def test_a_query_error_is_not_mistaken_for_an_unreachable_database():
    assert not errors.is_database_unavailable(OperationalError("no such table: x"))
    assert not errors.is_database_unavailable(ProgrammingError("syntax error"))
    request = RequestFactory().get("/sessions/")
    try:
        raise OperationalError("no such table: x")
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 500
