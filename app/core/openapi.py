"""The project's drf-spectacular AutoSchema: every operation documents the errors it can answer.

Loaded only once the schema or docs page has imported drf-spectacular (`app.core.schema`).
Which errors an operation can give follows from its shape, the same for every view:

| the operation...                      | may raise                                               |
|---------------------------------------|---------------------------------------------------------|
| any                                   | ParseError (the request guard refuses control characters) |
| takes a body                          | `Invalid`, UnsupportedMediaType, 413 (body too large)   |
| takes query parameters                | `Invalid`                                               |
| has a path parameter                  | `NotFound`                                              |
| authenticates its caller              | AuthenticationFailed (a bad or expired token)           |
| refuses anonymous callers or members  | NotAuthenticated / PermissionDenied                     |
| writes (POST, PUT, PATCH, DELETE)     | `Conflict`, `Busy`                                      |
| is throttled                          | `Throttled`                                             |

(DRF's exceptions unquoted, the project's in backquotes), plus what its view method declares
with `app.core.schema.may_raise` (checkout: a declined or unreachable payment). The status of
each comes from the one table in `app.core.errors` (`status_for`), DRF's own exceptions from
their `status_code`; all answer the `Error` body.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular import generators, openapi
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import exceptions as drf
from rest_framework import serializers

from app.core import api_docs
from app.core import exceptions as domain
from app.core.errors import status_for

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Answered by the request guard, before DRF: no exception class stands for it.
BODY_TOO_LARGE = (413, _("The request body is too large."))

ERROR_CODES = [str(code) for code in domain.ErrorCode]  # the `ErrorCodeEnum` component (SPECTACULAR_SETTINGS)
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error: `detail` says what went wrong in the reader's language; `code` names the condition and never "
        "changes with the language (branch on it); `fields`, when inputs are at fault, maps each to its messages "
        '(`{"field": ["..."]}`, nested as the input is for lists and objects). Some errors add members, e.g. a '
        "failed order's state."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "enum": ERROR_CODES,
            "description": "\n".join(f"- `{code}`: {meaning}" for code, meaning in domain.ERROR_CODE_MEANINGS.items()),
        },
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}


class ProjectSessionScheme(SessionScheme):
    """The project's session authentication (DRF's, with a coded CSRF refusal) is DRF's cookie scheme."""

    target_class = "app.security.session_auth.SessionAuthentication"
    priority = 0


def _member() -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, is_staff=False, is_superuser=False, is_active=True, pk=0)


def _blank_in_model(field: Any) -> bool:
    """True when `field` reads a model field that may hold "" (DRF drops `allow_blank` on read-only fields)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not isinstance(field.source, str) or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        # A read-only choice whose model field is blank=True answers "" too: say so in its enum.
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            if _blank_in_model(field):
                field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A list that refuses `[]` says so (drf-spectacular reads only validators for minItems).
        if isinstance(field, serializers.ListSerializer | serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        return schema

    _delete_body = None  # set while documenting a DELETE's declared body

    def get_request_serializer(self) -> Any:
        return self._delete_body if self._delete_body is not None else super().get_request_serializer()

    def _get_request_body(self, direction: str = "request") -> Any:
        # drf-spectacular documents bodies for PUT, PATCH and POST only; a DELETE that declares one
        # with @extend_schema(request=...) (closing one's account takes the password) gets it too.
        declared = self.get_request_serializer()
        if self.method != "DELETE" or type(declared) is type(self._get_serializer()):
            return super()._get_request_body(direction)
        self.method, self._delete_body = "POST", declared  # documented as a POST's would be
        try:
            return super()._get_request_body(direction)
        finally:
            self.method, self._delete_body = "DELETE", None

    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self._error_component()
        responses = operation["responses"]
        for status, descriptions in self._error_statuses(operation).items():
            if str(status) not in responses:
                responses[str(status)] = {
                    "description": " ".join(dict.fromkeys(descriptions)),
                    "content": {"application/json": {"schema": error.ref}},
                }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_component(self) -> Any:
        # A copy: drf-spectacular's enum hook rewrites the schema in place (`code` becomes a reference),
        # which would leave the next schema built in this process without the ErrorCodeEnum component.
        schema = copy.deepcopy(ERROR_SCHEMA)
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=schema)
        self.registry.register_on_missing(component)
        return component

    def _error_statuses(self, operation: dict[str, Any]) -> dict[int, list[str]]:
        statuses: dict[int, list[str]] = {}
        for error in self._possible_errors(operation):
            if isinstance(error, tuple):
                statuses.setdefault(error[0], []).append(str(error[1]))
            elif issubclass(error, drf.APIException):
                statuses.setdefault(error.status_code, []).append(str(error.default_detail))
            else:
                instance = error()
                statuses.setdefault(status_for(instance), []).append(str(instance.message))
        return statuses

    def _possible_errors(self, operation: dict[str, Any]) -> list[Any]:
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        errors: list = [drf.ParseError]
        if "requestBody" in operation:
            errors += [domain.Invalid, drf.UnsupportedMediaType, BODY_TOO_LARGE]
        if "query" in places:
            errors.append(domain.Invalid)
        if "path" in places:
            errors.append(domain.NotFound)
        if self.view.get_authenticators():
            errors.append(drf.AuthenticationFailed)
        errors += self._permission_errors()
        if self.method in UNSAFE_METHODS:
            errors += [domain.Conflict, domain.Busy]
        if self.view.get_throttles():
            errors.append(domain.Throttled)
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        errors += getattr(handler, "may_raise", ())
        return errors

    def _permission_errors(self) -> list[type]:
        """401 when an anonymous caller is refused, 403 when a member (not staff) is."""
        # DRF answers a refused anonymous caller 401 when the view authenticates, else 403.
        anonymous_error = drf.NotAuthenticated if self.view.get_authenticators() else drf.PermissionDenied
        errors: list[type] = []
        for user, error in ((AnonymousUser(), anonymous_error), (_member(), drf.PermissionDenied)):
            request: Any = SimpleNamespace(method=self.method, user=user, auth=None, query_params={}, data={})
            for permission in self.view.get_permissions():
                try:
                    allowed = permission.has_permission(request, self.view)
                except Exception:  # a permission that needs more of the request: assume it may refuse
                    allowed = False
                if not allowed:
                    errors.append(error)
                    break
        return errors


class ListFilterExtension(DjangoFilterExtension):
    """Each list's filterset parameters, as for django-filter's own backend (ours loads it lazily)."""

    target_class = "app.core.filtering.ListFilterBackend"


class SchemaGenerator(generators.SchemaGenerator):
    """drf-spectacular's generator (SPECTACULAR_SETTINGS), once the views' annotations are applied."""

    def get_schema(self, request: Any = None, public: bool = False) -> Any:
        api_docs.apply_recorded()  # recorded when the views were imported (app/core/api_docs.py)
        return super().get_schema(request, public)
