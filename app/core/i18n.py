"""The two languages of the project, and the few helpers every domain uses with them.

- `supported_language(code)`: "fr-CA" -> "fr"; anything unknown -> the default language.
- `localized(obj, "name")`: the French value (`name_fr`) of a name entered by an admin when the
  active language is French and it is filled in, else the English one (`name`).
- `LocalizedNamesMixin`: a DRF serializer answers those names in the request's language.
- `money(amount, currency)`: `$28.74` in English, `28,74 $` in French (grouped thousands).

See docs/i18n.md for why names are two plain fields rather than django-modeltranslation.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import pgettext

SYMBOLS = {"CAD": "$", "USD": "$", "EUR": "€"}


def supported_language(code: str | None) -> str:
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def current_language() -> str:
    return supported_language(translation.get_language())


def localized(obj: object, field: str) -> str:
    # The plain field holds English; `<field>_fr` the French, blank meaning "same as English".
    language = current_language()
    if language != "en":
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return value
    return getattr(obj, field)


class LocalizedNamesMixin:
    """Serializer mixin: each field of `localized_fields` is answered in the request's language."""

    localized_fields: tuple[str, ...] = ("name",)

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        for field in self.localized_fields:
            if field in data:
                data[field] = localized(instance, field)
        return data


def money(amount: Decimal | int | str, currency: str = "") -> str:
    currency = currency or settings.STORE_CURRENCY
    number = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    # Translators: how an amount of money is written; {amount} is already localized (e.g. 28,74).
    return pgettext("money", "{symbol}{amount}").format(symbol=symbol, amount=number)


def percent(rate: Decimal | float | str) -> str:
    """14.975 -> `14.975 %` / `14,975 %`."""
    number = formats.number_format(Decimal(rate).normalize(), use_l10n=True)
    return pgettext("percent", "{rate} %").format(rate=number)
