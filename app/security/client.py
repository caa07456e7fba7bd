"""Who is the client? One answer, used by every limit.

- On Lambda, Zappa copies the client-supplied `X-Forwarded-For` into `REMOTE_ADDR`, so neither
  can be trusted. The address API Gateway itself saw is in the event Zappa passes along as
  `request.META["lambda.event"]`: `requestContext.identity.sourceIp` (REST, payload v1) or
  `requestContext.http.sourceIp` (HTTP API, payload v2).
- Elsewhere, `REMOTE_ADDR` (the peer of the WSGI server), unless `TRUSTED_PROXY_COUNT` says how
  many proxies of our own append to `X-Forwarded-For`: then the entry the outermost of them
  appended. Entries a client wrote itself, to the left of it, are never used.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:  # DRF is not imported for a type
    from rest_framework.request import Request

    # A page's request or the API's (DRF wraps the same HttpRequest): both carry META.
    AnyRequest = HttpRequest | Request


def _valid(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def _lambda_source_ip(request: AnyRequest) -> str | None:
    event = request.META.get("lambda.event")
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    for part in ("identity", "http"):
        section = context.get(part)
        if isinstance(section, dict) and section.get("sourceIp"):
            return _valid(section["sourceIp"])
    return None


def client_ip(request: AnyRequest) -> str:
    """The client's address as the platform vouches for it (a string; "unknown" if there is none)."""
    source_ip = _lambda_source_ip(request)
    if source_ip:
        return source_ip
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if entries:
            appended = _valid(entries[-min(proxies, len(entries))])
            if appended:
                return appended
    return _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"


def client_key(request: AnyRequest) -> str:
    """`client_ip`, with an IPv6 address widened to its /64: one host usually holds a whole /64."""
    address = client_ip(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address
