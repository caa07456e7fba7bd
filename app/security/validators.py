"""Validators shared by every form and serializer that takes what a person types."""

import re
from datetime import date, datetime
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy, ngettext


@cache  # compiled on first use: the models import this module at every cold start
def _not_in_names() -> re.Pattern[str]:
    # C0 and C1 controls (tab and newline included: a name is one line), and the bidirectional
    # embedding, override and isolate marks that can make a name display as something else.
    return re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@deconstructible
class PlainNameValidator:
    message = gettext_lazy("Remove the control or text-direction characters.")
    code = "control_characters"

    def __call__(self, value: Any) -> None:
        if _not_in_names().search(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainNameValidator)


validate_plain_name = PlainNameValidator()


class MaximumLengthValidator:
    """A password may not be longer than `max_length` characters (hashing a huge one costs time)."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at most %(max_length)d character.",
            "Your password must contain at most %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}


# Dates people may enter: far enough for birth dates and long memberships, and far from the
# edges of Python's datetime (years 1 and 9999), where a conversion to or from UTC overflows
# and a stored value can no longer be read back (every page showing it would fail).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


@deconstructible
class DateRangeValidator:
    message = gettext_lazy("Give a date between %(earliest)s and %(latest)s.")
    code = "date_out_of_range"

    def __call__(self, value: Any) -> None:
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(
                self.message, code=self.code, params={"earliest": EARLIEST_DATE, "latest": LATEST_DATE}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator)


validate_date_in_range = DateRangeValidator()
