"""One canonical form of an e-mail address, used wherever an address is stored, looked up or counted.

`canonical_email` is what the `User.email` column holds (unique), what sign-up, login, reset,
e-mail change, the admin and the lock-out keys compare: Unicode NFKC (full-width letters, the
long s `ſ` and the Kelvin sign become plain letters), case folded (`ß` → `ss`), blanks and a
trailing dot of the domain removed. Two spellings that fold to one form are one account.

`validate_new_email` refuses, wherever a person enters an address for an account (sign-up,
e-mail change, the admin), what folding cannot make safe:
- any letter outside ASCII once folded: `ı` (dotless i), Cyrillic `а`, Greek `ο`... look like
  Latin letters and, in SQL's `UPPER()`, even become them; refusing every non-ASCII letter
  also refuses mixed scripts. A domain with accents is entered in its ASCII (`xn--`) form;
- the domain closed accounts are renamed to (`CLOSED_DOMAIN`), which no one may take.
Lookups (login, reset) only fold: an old address with such a letter still logs in as typed.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CLOSED_DOMAIN = "closed.invalid"  # .invalid never resolves (RFC 2606): nothing can be sent there


def canonical_email(value: str) -> str:
    """The one form of `value` that is stored and compared (never refuses: see `validate_new_email`)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(value or "")).casefold())
    local, at, domain = folded.strip().rpartition("@")
    if not at:
        return folded.strip()
    return f"{local.strip()}@{domain.strip().rstrip('.')}"


def domain_of(value: str) -> str:
    return canonical_email(value).rpartition("@")[2]


def validate_new_email(value: str) -> None:
    """Django validator: refuse look-alike letters and the closed-account domain (see the module)."""
    canonical = canonical_email(value)
    if not canonical.isascii():
        raise ValidationError(
            _(
                "Write the address with unaccented Latin letters, digits and punctuation only: "
                'look-alike letters (such as "ı" or Cyrillic letters) are refused.'
            ),
            code="email_look_alike",
        )
    domain = domain_of(canonical)
    if domain == CLOSED_DOMAIN or domain.endswith(f".{CLOSED_DOMAIN}"):
        raise ValidationError(_("This e-mail domain cannot be used."), code="email_domain_refused")
