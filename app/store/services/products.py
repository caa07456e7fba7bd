"""Products: memberships and ticket packages."""

from __future__ import annotations

from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from app.core.exceptions import InUse
from app.store.models import Membership, Package


def delete_product(product: Membership | Package) -> None:
    """Delete a product no order refers to; old orders' lines must keep theirs."""
    try:
        product.delete()
    except ProtectedError:
        raise InUse(_("This product is on orders and cannot be deleted; make it unavailable instead.")) from None
