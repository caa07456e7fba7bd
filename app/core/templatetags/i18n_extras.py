"""`{% load i18n_extras %}`: `{{ product|localized:"name" }}`, `{{ order.total|money:order.currency }}`,
`{{ rate|percent }}` (app/core/i18n.py)."""

from django import template

from app.core import i18n

register = template.Library()


@register.filter
def localized(obj, field):
    return i18n.localized(obj, field)


@register.filter
def money(amount, currency=""):
    return i18n.money(amount, currency)


@register.filter
def percent(rate):
    return i18n.percent(rate)


@register.filter
def day_text(day):
    """`Monday, December 7, 2026` / `lundi 7 décembre 2026` (app/core/moments.py)."""
    from app.core.moments import day_text as text

    return text(day)
