"""`{% load i18n_extras %}`: `{{ product|localized:"name" }}`, `{{ order.total|money:order.currency }}`,
`{{ rate|percent }}` (app/core/i18n.py)."""

from datetime import date, datetime
from decimal import Decimal

from django import template

from app.core import i18n

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> str:
    return i18n.localized(obj, field)


@register.filter
def money(amount: Decimal | int | str, currency: str = "") -> str:
    return i18n.money(amount, currency)


@register.filter
def percent(rate: Decimal | float | str) -> str:
    return i18n.percent(rate)


@register.filter
def day_text(day: date | datetime) -> str:
    """`Monday, December 7, 2026` / `lundi 7 décembre 2026` (app/core/moments.py)."""
    from app.core.moments import day_text as text

    return text(day)
