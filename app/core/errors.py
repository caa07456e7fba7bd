"""How an error reaches a person: one table from condition to HTTP status, one message per condition.

Services raise the exceptions of `app.core.exceptions` (and Django raises its own); nothing below
the views knows about status codes. `json_exception_handler` (DRF's EXCEPTION_HANDLER) answers the
API with `{"detail": "...", "code": "...", "fields": {"field": ["..."]}}` (`fields` only when inputs
are at fault), DRF's own errors included; web pages and the admin get the same words from the one
translator, `error_messages()` (`user_message()` joins them, `as_validation_error()` puts them on a
form). The same condition therefore has the same status, code and words everywhere.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler

from app.core import exceptions as domain
from app.core.exceptions import error_json

# Most specific first: the first row whose class matches wins (`InUse` before `Conflict`...).
STATUS_BY_EXCEPTION: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.Invalid, 400),
    (domain.PaymentDeclined, 402),
    (domain.PermissionDenied, 403),
    (domain.NotFound, 404),
    (domain.IdempotencyKeyReused, 422),  # the Idempotency-Key draft (IETF httpapi) says 422
    (domain.InUse, 409),
    (domain.Busy, 409),  # a lock time-out: the client may retry the same request
    (domain.Conflict, 409),
    (domain.Throttled, 429),
    (domain.DatabaseUnavailable, 503),
    (domain.OutcomePending, 202),  # accepted: the provider's answer is being confirmed, do not retry
    (domain.ProviderUnavailable, 503),
    (domain.DomainError, 400),
)

logger = logging.getLogger(__name__)

# PostgreSQL serialization failure, deadlock, lock not available, statement time-out (or a
# cancelled query); sqlite's busy time-out.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})
# Seconds a client is told to wait when the database cannot be reached (a restart or fail-over).
DATABASE_RETRY_AFTER_SECONDS = 5


def is_lock_timeout(error: BaseException) -> bool:
    """True for a database error that only says another transaction held the rows: safe to retry."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)  # psycopg 3 or 2
    return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(error)


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)  # psycopg 3 or 2


# Connection exceptions (class 08), the server shutting down, crashed or starting (57P01-57P03).
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_database_unavailable(error: BaseException) -> bool:
    """True when the database could not be reached or dropped the connection; never for a query's own error."""
    if not isinstance(error, OperationalError | InterfaceError) or is_lock_timeout(error):
        return False
    sqlstate = _sqlstate(error)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES
    if isinstance(error, InterfaceError):  # "connection already closed"
        return True
    cause = error.__cause__
    # psycopg gives no SQLSTATE when it cannot connect or the server hung up; sqlite's file may be gone.
    return type(cause).__module__.startswith("psycopg") or "unable to open database file" in str(error)


def log_database_unavailable(request: HttpRequest | None, error: BaseException) -> None:
    """One warning line per refused request (no traceback: nothing in the code is at fault)."""
    path = getattr(request, "path", "?")
    logger.warning("Database unavailable, answered 503 for %s (%s)", path, type(error.__cause__ or error).__name__)


def database_unavailable_response(request: HttpRequest | None, error: BaseException) -> JsonResponse:
    """The 503 for any request, API or page, that met an unreachable database (see `server_error`)."""
    log_database_unavailable(request, error)
    unavailable = domain.DatabaseUnavailable()
    response = JsonResponse(
        error_json(unavailable.message, unavailable.code),
        status=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.request logs it no more
    return response


# A constraint the input broke that no validator checked first (PostgreSQL's SQLSTATE, sqlite's words).
_BROKEN_RULE_SQLSTATES = frozenset({"23502", "23514"})  # not null, check
_BROKEN_RULE_WORDS = ("NOT NULL constraint failed", "CHECK constraint failed")


def _from_integrity_error(error: IntegrityError) -> domain.DomainError:
    """A unique or foreign-key clash is a conflict with what is stored (409); a NOT NULL or CHECK
    violation is input breaking a rule (400). Either way a validator should have caught it first:
    the constraint's name is logged (never the values) so that one can be added."""
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or str(error).split(":")[-1].strip()[:100]
    logger.warning("A database constraint refused a write no validator checked: %s", constraint)
    if sqlstate in _BROKEN_RULE_SQLSTATES or (sqlstate is None and str(error).startswith(_BROKEN_RULE_WORDS)):
        return domain.Invalid()
    return domain.Conflict(_("This clashes with a record that already exists (a name or address already in use?)."))


def _from_django_validation(error: DjangoValidationError) -> domain.Invalid:
    if not hasattr(error, "error_dict"):
        return domain.Invalid(" ".join(error.messages))
    fields = dict(error.message_dict)
    general = fields.pop("__all__", None)
    return domain.Invalid(" ".join(general) if general else None, fields=fields)


def as_domain_error(exc: BaseException) -> domain.DomainError | None:
    """The domain exception a raised error stands for, or None when it is not an expected condition."""
    if isinstance(exc, domain.DomainError):
        return exc
    if isinstance(exc, DjangoValidationError):
        return _from_django_validation(exc)
    if isinstance(exc, ProtectedError | RestrictedError):
        return domain.InUse()
    if is_lock_timeout(exc):
        return domain.Busy()
    if is_database_unavailable(exc):
        return domain.DatabaseUnavailable()
    if isinstance(exc, IntegrityError):
        return _from_integrity_error(exc)
    return None


def status_for(exc: domain.DomainError) -> int:
    for cls, status in STATUS_BY_EXCEPTION:
        if isinstance(exc, cls):
            return status
    raise AssertionError("DomainError itself is the last row")  # pragma: no cover


def error_body(exc: domain.DomainError) -> dict[str, Any]:
    """The answer for a domain error, plus its `data` (e.g. the failed order's state)."""
    fields = {name: [str(message) for message in messages] for name, messages in exc.fields.items()}
    return {**exc.data, **error_json(exc.message, exc.code, fields)}  # detail, code and fields win


def _flatten(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(_flatten(item) for item in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_flatten(item) for item in value)
    return str(value)


def _drf_code(exc: drf.APIException) -> str:
    try:
        return domain.ErrorCode(exc.default_code)
    except ValueError:  # pragma: no cover - every DRF exception the project meets is in the enum
        return domain.ErrorCode.ERROR


def _drf_body(exc: drf.APIException, data: Any) -> dict[str, Any]:
    """DRF's own errors in the same shape: a serializer's `{"field": [...]}` becomes `fields`."""
    if not isinstance(exc, drf.ValidationError):
        detail = data.get("detail", exc.default_detail) if isinstance(data, dict) else data
        return error_json(_flatten(detail), _drf_code(exc))
    if not isinstance(data, dict):  # `raise ValidationError("...")`
        return error_json(_flatten(data), domain.ErrorCode.INVALID)
    fields = dict(data)
    general = [_flatten(fields.pop(name)) for name in ("detail", "non_field_errors") if name in fields]
    return error_json(" ".join(general) or domain.Invalid.default_message, domain.ErrorCode.INVALID, fields)


def error_messages(exc: BaseException) -> dict[str | None, list[str]]:
    """The one translator for pages and the admin: `{field or None: [text, ...]}` for an expected
    error (None: not tied to a field), `{None: [a generic sentence]}` for an unexpected one."""
    if isinstance(exc, drf.ValidationError):
        body = _drf_body(exc, exc.detail)
        general = {None: [body["detail"]]} if body["detail"] != str(domain.Invalid.default_message) else {}
        return {**general, **{name: [_flatten(texts)] for name, texts in body.get("fields", {}).items()}}
    error = as_domain_error(exc)
    if error is None:
        return {None: [_("Something went wrong on our side. The team has been told.")]}
    errors: dict[str | None, list[str]] = {name: [str(text) for text in texts] for name, texts in error.fields.items()}
    if error.message is not error.default_message or not errors:
        return {None: [str(error.message)], **errors}  # the general sentence first
    return errors


def user_message(exc: BaseException) -> str:
    """`error_messages()` as one sentence, for a page or an admin message with no form."""
    return " ".join(text for texts in error_messages(exc).values() for text in texts)


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: domain and Django errors by the table, DRF's own with DRF's status."""
    error = as_domain_error(exc)
    if error is None:
        # Django's own 404 and 403 (get_object_or_404...) as DRF's NotFound and PermissionDenied, so that
        # the body gets their code too; get_object_or_404's "No X matches" is neither translated nor useful.
        if isinstance(exc, Http404):
            exc = drf.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = drf.PermissionDenied(*exc.args)
        response = exception_handler(exc, context)  # DRF's status and headers (WWW-Authenticate, Retry-After)
        if response is not None and isinstance(exc, drf.APIException):
            response.data = _drf_body(exc, response.data)
        return response
    if isinstance(error, domain.DatabaseUnavailable):
        response = Response(error_body(error), status=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})
        if not isinstance(exc, domain.DomainError):  # met by a query: one warning, not django.request's error
            log_database_unavailable(context.get("request"), exc)
            response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    headers = {"Retry-After": "1"} if isinstance(error, domain.Busy) else None
    return Response(error_body(error), status=status_for(error), headers=headers)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_json(drf.NotFound.default_detail, domain.ErrorCode.NOT_FOUND), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    error = sys.exc_info()[1]  # Django calls this view while handling the exception
    if error is not None and is_database_unavailable(error):
        return database_unavailable_response(request, error)
    body = error_json(_("Server error. The team has been told."), domain.ErrorCode.SERVER_ERROR)
    return JsonResponse(body, status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_json(_("Bad request."), domain.ErrorCode.BAD_REQUEST), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    body = error_json(drf.PermissionDenied.default_detail, domain.ErrorCode.PERMISSION_DENIED)
    return JsonResponse(body, status=403)


def as_validation_error(exc: BaseException, known_fields: Iterable[str] | None = None) -> DjangoValidationError:
    """`error_messages()` as Django's ValidationError, for forms (the admin, web pages).

    Errors on names the form does not have (`known_fields`) join the form's general errors.
    """
    known = None if known_fields is None else set(known_fields)
    errors: dict[str, list[str]] = {}
    for name, texts in error_messages(exc).items():
        key = name if name is not None and (known is None or name in known) else NON_FIELD_ERRORS
        errors.setdefault(key, []).extend(texts)
    return DjangoValidationError(errors)
