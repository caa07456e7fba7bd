"""A gateway's typed failure -> the domain error a member or admin reads. No HTTP here."""

from __future__ import annotations

from collections.abc import Mapping

from app.core.exceptions import DomainError, Invalid, PaymentDeclined, PaymentUnavailable
from app.integrations.payments import CardDeclined, GatewayError, GatewayUnavailable, OutcomeUnknown


def domain_error(error: GatewayError, data: Mapping[str, object] | None = None) -> DomainError:
    """Declines are `PaymentDeclined`; an unreachable or misconfigured gateway `PaymentUnavailable`;
    anything else the gateway refused (a bad token, a bad card) is `Invalid`."""
    if isinstance(error, CardDeclined):
        return PaymentDeclined(error.message, data=data)
    if isinstance(error, OutcomeUnknown | GatewayUnavailable):
        return PaymentUnavailable(error.message, data=data)
    return Invalid(error.message, data=data)
