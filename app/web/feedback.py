"""Put what a service raised on the page, next to its fields: the words come from the one translator,
`app.core.errors.error_messages`, the same the API's `detail` and the admin show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import HttpRequest

from app.core.errors import error_messages

Errors = Mapping[str | None, Sequence[object]]


def show_on_form(form: forms.Form, error_or_errors: BaseException | Errors) -> forms.Form:
    """Put the messages on `form`: each next to its field, the others above the form."""
    errors = error_messages(error_or_errors) if isinstance(error_or_errors, BaseException) else error_or_errors
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    unchecked: Any = form  # a form not validated yet has no error dict: add_error needs one
    if unchecked._errors is None:
        unchecked._errors = ErrorDict()
    for field, texts in errors.items():
        name = field if field in form.fields else None
        for text in texts:
            form.add_error(name, str(text))
    return form


def show_on_page(request: HttpRequest, error: BaseException) -> None:
    """For a button with no form around it (Reserve, Cancel): the message leads the next page."""
    for texts in error_messages(error).values():
        for text in texts:
            messages.error(request, text)
