"""One helper turns what a service raised into messages on the page, next to their fields."""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.utils import ErrorDict
from rest_framework.exceptions import ValidationError as ApiValidationError

from app.accounts.tickets import NotEnoughTickets
from app.accounts.tokens import TokenError
from app.core.errors import as_domain_error
from app.core.exceptions import DomainError


def _flatten(value):
    if isinstance(value, dict):
        return " ".join(_flatten(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_flatten(v) for v in value)
    return str(value)


def error_messages(error):
    """`{field or None: [text, ...]}` for an exception a service (or the API's validation) raised."""
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            return {(None if k == "__all__" else k): list(v) for k, v in error.message_dict.items()}
        return {None: list(error.messages)}
    if isinstance(error, ApiValidationError):
        detail = error.detail
        if isinstance(detail, dict):
            return {(None if k in ("detail", "non_field_errors") else k): [_flatten(v)] for k, v in detail.items()}
        return {None: [_flatten(detail)]}
    if isinstance(error, NotEnoughTickets):
        return {None: [str(error)]}
    if isinstance(error, TokenError):
        return {None: [str(error.token_message)]}
    # The services' domain exceptions (and Django's, which the error table maps to them).
    domain_error = as_domain_error(error)
    if domain_error is None:
        raise error
    errors: dict[str | None, list[str]] = {
        name: [str(message) for message in texts] for name, texts in domain_error.fields.items()
    }
    if domain_error.message is not domain_error.default_message or not errors:
        errors.setdefault(None, []).insert(0, str(domain_error.message))
    return errors


def show_on_form(form, error_or_errors):
    """Put the messages on `form`: each next to its field, the others above the form."""
    errors = error_or_errors if isinstance(error_or_errors, dict) else error_messages(error_or_errors)
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if form._errors is None:
        form._errors = ErrorDict()
    for field, texts in errors.items():
        name = field if field in form.fields else None
        for text in texts if isinstance(texts, list | tuple) else [texts]:
            form.add_error(name, _flatten(text))
    return form


def show_on_page(request, error):
    """For a button with no form around it (Reserve, Cancel): the message leads the next page."""
    for texts in error_messages(error).values():
        for text in texts:
            messages.error(request, text)


def serializer_errors(serializer):
    """The errors of an API serializer as `{field: [text]}`, or None when it is valid.

    Serializers may raise the domain's `Invalid` from `validate()` (the store's and accounts' rules)."""
    try:
        valid = serializer.is_valid()
    except DomainError as error:
        return error_messages(error)
    return None if valid else serializer.errors
