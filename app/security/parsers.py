"""The API's JSON parser: DRF's, plus limits that make every JSON body safe to validate.

- Nesting deeper than `JSON_MAX_DEPTH` is a 400 (Python's decoder itself overflows its
  recursion limit near 1,000 levels, which was a 500).
- A NUL byte in any key or string, or an integer beyond 64 bits anywhere: a 400 naming the
  top-level field that holds it, before any serializer or database sees it.
"""

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

_INT64 = 2**63 - 1


def _problem(value: object) -> str | None:
    if isinstance(value, str):
        return _("Null characters are not allowed.") if "\x00" in value else None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _INT64:
        return _("This number is too large.")
    return None


def check_structure(data: object, max_depth: int) -> None:
    """Walk `data` without recursion; raise ParseError or ValidationError on the first problem."""
    stack = [(data, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if depth > max_depth:
            raise ParseError(_("JSON nested deeper than %(depth)s levels is not accepted.") % {"depth": max_depth})
        if isinstance(value, dict):
            for key, item in value.items():
                name = key if field is None else field
                if "\x00" in key:
                    raise ValidationError({"detail": _("Null characters are not allowed in field names.")})
                stack.append((item, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif (message := _problem(value)) is not None:
            raise ValidationError({field: [message]} if field else {"detail": message})


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        except ParseError as error:  # DRF's words are not translated; the decoder's reason stays as it is
            reason = str(error.detail).removeprefix("JSON parse error - ")
            raise ParseError(_("JSON parse error - %(reason)s") % {"reason": reason}) from None
        check_structure(data, settings.JSON_MAX_DEPTH)
        return data
