"""/store/, /store/checkout/ and /account/orders/.

The store's rules live in `app.store.services`; this module only shapes pages around them.
"""

import uuid
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from app.core.errors import status_for, user_message
from app.core.exceptions import DomainError, ErrorCode
from app.integrations.payments import uses_test_gateway
from app.retreats.models import Retreat, RetreatOption
from app.security.client import client_key
from app.store import display
from app.store.models import Membership, Order, OrderLine, Package, SavedCard
from app.store.services import cards, coupons, eligibility, pricing
from app.store.services import checkout as store_checkout
from app.store.services import taxes as sales_taxes
from app.store.services.checkout import Outcome, Quote
from app.web.feedback import show_on_page
from app.web.views.common import MemberRequest, local_text, not_found, site_zone

ORDERS_PER_PAGE = 10  # newest first
NOT_QUOTED = (None, "", None)  # `_quote`'s answer for a product the member may not buy
KINDS: dict[str, type[Membership] | type[Package]] = {"membership": Membership, "package": Package}
Sellable = Membership | Package | Retreat | RetreatOption
RETREAT_KINDS = ("retreat", "retreat_option")  # bought, they show in "My retreats"
# The local test gateway's cards (DEBUG on, no Paysafe credentials): what `make run` offers.
TEST_CARDS = [
    ("test-visa", gettext_lazy("Visa 4111 (approved)")),
    ("test-mastercard", gettext_lazy("Mastercard 5100 (approved)")),
    ("test-decline", gettext_lazy("Visa (declined by the bank)")),
    ("test-insufficient-funds", gettext_lazy("Visa (insufficient funds)")),
]


def paysafe_js_enabled() -> bool:
    return bool(settings.PAYSAFE_JS_API_KEY) and not uses_test_gateway()


# --- pages -----------------------------------------------------------------------------------
@require_safe
def store_page(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(available=True).prefetch_related("academic_levels")
    packages = Package.objects.filter(available=True).prefetch_related("exclusive_memberships")
    reasons = eligibility.refusals(request.user, [*packages, *memberships])  # type: ignore[arg-type]  # visitors too
    offers = [
        {
            "kind": "membership" if isinstance(product, Membership) else "package",
            "product": product,
            "reason": reason,
            "total": pricing.totals(product.price).total,
        }
        for product, reason in reasons.items()
    ]
    context = {
        "offers": offers,
        "currency": settings.STORE_CURRENCY,
        "taxes": [display.tax_label(tax) for tax in sales_taxes.compute(Decimal(0))],
    }
    return render(request, "web/store.html", context)


def _product(kind: str, product_id: str, user_id: int | None = None) -> Sellable | None:
    if kind == "retreat_option" and str(product_id).isdigit():  # an option on sale of a published retreat
        on_sale = RetreatOption.objects.filter(pk=product_id, is_active=True, retreat__is_published=True)
        return on_sale.select_related("retreat").first()
    if kind == "retreat" and str(product_id).isdigit():  # a seat at a published retreat, with its seats left
        from app.retreats import pages_support

        published = Retreat.objects.filter(pk=product_id, is_published=True)
        return pages_support.with_seats(published, user_id).first()
    model = KINDS.get(kind)
    if model is None or not str(product_id).isdigit():
        return None
    return model.objects.filter(pk=product_id, available=True).first()


def held_memberships(request: HttpRequest) -> set[int]:
    """The ids of the memberships the visitor holds now (none for a visitor): a retreat's member price."""
    return eligibility.held_membership_ids(request.user) if request.user.is_authenticated else set()


def _invitation(kind: str, source: Any) -> str:
    """A retreat invitation's token carried from its page to the order (empty for other products)."""
    return str(source.get("invitation", "")).strip()[:40] if kind == "retreat" else ""


def _retreat_sold_out(product: Sellable, token: str, user_id: int) -> DomainError | None:
    """Before paying: a retreat with no seat left, for the public or this invitation (409 retreat_sold_out);
    an option with no unit left, or for a member with no confirmed seat there."""
    if isinstance(product, RetreatOption):
        from app.retreats import options

        return options.page_refusal(user_id, product)
    if not isinstance(product, Retreat):
        return None
    from app.retreats import pages_support

    return pages_support.sold_out_error(product, pages_support.open_invitation(token))


def _quote(
    request: MemberRequest, kind: Any, product: Sellable, code: str
) -> tuple[Quote, str, str | None]:  # kind: "membership" or "package" (KINDS)
    """(quote, the coupon applied or "", the coupon's refusal or None). An unusable coupon is not applied."""
    lines = [eligibility.CheckoutLine(product=kind, id=product.pk, quantity=1)]
    if code:
        try:
            with coupons.counting_failures(request.user, client_key(request)):
                return store_checkout.quote(request.user, lines, code), coupons.normalise(code), None
        except DomainError as error:
            if error.code not in (ErrorCode.COUPON_NOT_USABLE, ErrorCode.THROTTLED):
                raise
            refusal = user_message(error)  # the one "not usable" answer, or too many refused codes
            return store_checkout.quote(request.user, lines), "", refusal
    return store_checkout.quote(request.user, lines), "", None


def _checkout_page(
    request: MemberRequest,
    kind: str,
    product: Sellable,
    *,
    invitation: str = "",
    payable: bool = True,
    error: str | None = None,
    status: int = 200,
    code: str = "",
    quoted: tuple[Quote | None, str, str | None] | None = None,
) -> HttpResponse:
    """The page; `quoted`: what `_quote` answered, when the caller has asked already."""
    try:
        quote, coupon, coupon_error = quoted or _quote(request, kind, product, code)
    except DomainError:  # the product itself may not be bought: show its price, the error says why
        quote, coupon, coupon_error = None, "", None
    priced = pricing.totals(product.price) if quote is None else quote
    subtotal, discount, taxes, total = priced.subtotal, priced.discount, priced.taxes, priced.total
    if coupon_error and status == 200:
        status = 400
    cards = SavedCard.objects.filter(profile__user=request.user).order_by("-created")
    context = {
        "kind": kind,
        "product": product,
        "invitation": invitation,
        "payable": payable,  # False: nothing left to sell (a sold-out retreat), no card asked
        "subtotal": subtotal,
        "discount": discount,
        "coupon": coupon,
        "coupon_entered": code,
        "coupon_error": coupon_error,
        "taxes": [{"label": display.tax_label(tax), "amount": tax.amount} for tax in taxes],
        "total": total,
        "currency": settings.STORE_CURRENCY,
        "cards": cards,
        "test_cards": TEST_CARDS if uses_test_gateway() else [],
        "paysafe_js": paysafe_js_enabled(),
        "paysafe_js_url": settings.PAYSAFE_JS_URL,
        "paysafe_api_key": settings.PAYSAFE_JS_API_KEY,
        "paysafe_environment": settings.PAYSAFE_JS_ENVIRONMENT,
        # A new key for every page shown: the same form posted twice (double click, reload) pays once.
        "idempotency_key": uuid.uuid4().hex,
        "error": error,
    }
    response = render(request, "web/checkout.html", context, status=status)
    if context["paysafe_js"]:
        origin = _origin(settings.PAYSAFE_JS_URL)
        csp = {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]}
        response._csp_update = csp  # type: ignore[attr-defined]  # read by django-csp
    return response


def _origin(url: str) -> str:
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _payment(request: MemberRequest) -> tuple[str, str] | None:
    """(token, kind) from the form's payment choice, or None. A saved card is looked up among the member's."""
    choice = request.POST.get("payment", "")
    if choice.startswith("saved:") and choice[6:].isdigit():
        card = SavedCard.objects.filter(pk=choice[6:], profile__user=request.user).first()
        return (card.payment_token, "saved") if card else None
    if choice == "new" and paysafe_js_enabled():
        token = request.POST.get("single_use_token", "").strip()
        return (token, "single-use") if token else None
    if uses_test_gateway() and choice in dict(TEST_CARDS):
        return choice, "single-use"
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: MemberRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("product", "")
    product = _product(kind, source.get("id", ""), request.user.pk)
    if product is None:
        return render(request, "web/checkout_missing.html", status=404)
    invitation = _invitation(kind, source)
    if request.method != "POST":
        code = request.GET.get("coupon", "").strip()[:40]
        try:  # the quote checks that the member may buy the product (one check: 3 queries fewer)
            quoted = _quote(request, kind, product, code)
        except DomainError as error:
            page = _checkout_page(request, kind, product, error=user_message(error), status=403, quoted=NOT_QUOTED)
            return page
        sold_out = _retreat_sold_out(product, invitation, request.user.pk)
        if sold_out is not None:
            message, status = user_message(sold_out), status_for(sold_out)
            return _checkout_page(
                request, kind, product, payable=False, error=message, status=status, quoted=NOT_QUOTED
            )
        return _checkout_page(request, kind, product, invitation=invitation, code=code, quoted=quoted)
    code = request.POST.get("coupon", "").strip()[:40]
    payment = _payment(request)
    if payment is None:
        choose = _("Choose how to pay.")
        return _checkout_page(request, kind, product, invitation=invitation, error=choose, status=400, code=code)
    key = request.POST.get("idempotency_key", "")[:100]
    try:
        token, how = _save_card_if_asked(request, payment, key)
        saved = how == "saved"
        with coupons.counting_failures(request.user, client_key(request)) if code else nullcontext():
            result = store_checkout.checkout(
                request.user,
                [{"product": kind, "id": product.pk, "quantity": 1}],  # type: ignore[typeddict-item]  # a KINDS key
                single_use_token="" if saved else token,
                payment_token=token if saved else "",
                idempotency_key=key,
                coupon=code,
                invitation=invitation,
            )
    except DomainError as error:
        page_error, status = user_message(error), status_for(error)
        return _checkout_page(request, kind, product, invitation=invitation, error=page_error, status=status, code=code)
    order = result.order
    done = "account-retreats" if kind in RETREAT_KINDS else "orders"  # where the member sees what was bought
    if order.status == Order.Status.PAID:
        if result.outcome == Outcome.REPLAYED:
            messages.info(
                request,
                _("Order %(reference)s is already paid: you were not charged twice.") % {"reference": order.reference},
            )
        else:
            messages.success(request, _("Thank you! Order %(reference)s is paid.") % {"reference": order.reference})
        return redirect(done)
    if order.status == Order.Status.PENDING or result.outcome == Outcome.NEEDS_ATTENTION:
        messages.warning(request, result.message or str(store_checkout.CONFIRMING_MESSAGE))
        return redirect("orders")
    # A replayed failed order: the same form again after a decline.
    message = order.failure_message or _("The payment was not approved. Please use another card.")
    return _checkout_page(request, kind, product, invitation=invitation, error=message, status=400, code=code)


def _save_card_if_asked(request: MemberRequest, payment: tuple[str, str], key: str) -> tuple[str, str]:
    """ "Save this card": the single-use token goes into the vault and the saved card pays.

    Not when this form was already sent (a reload): its token is spent, and the order stands."""
    token, kind = payment
    if kind != "single-use" or not request.POST.get("save_card"):
        return payment
    if key and Order.objects.filter(user=request.user, idempotency_key=key).exists():
        # As the first time (a saved card paid): the checkout answers with that order, charging nothing.
        saved = SavedCard.objects.filter(profile__user=request.user).order_by("-created").first()
        return (saved.payment_token, "saved") if saved else payment
    card = cards.save_card(request.user, token)
    return card.payment_token, "saved"


@login_required
@require_safe
def orders(request: MemberRequest) -> HttpResponse:
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    mine = (
        Order.objects.filter(user=request.user)
        .select_related("coupon")
        .prefetch_related(lines)
        .order_by("-created", "-id")
    )
    page = Paginator(mine, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    zone = site_zone()
    context = {
        "orders": [
            {
                "order": order,
                "created": local_text(order.created, zone),
                "status": display.status_label(order),
                "rows": display.total_rows(order),
                "numbers": display.registration_numbers(order),
                "payment": display.payment_method(order) if order.status != Order.Status.FAILED else "",
                "receipt": order.status not in (Order.Status.FAILED, Order.Status.PENDING),
            }
            for order in page.object_list
        ],
        "page": page,
        "cards": SavedCard.objects.filter(profile__user=request.user).order_by("-created"),
    }
    return render(request, "web/orders.html", context)


@require_POST
@login_required
def delete_card(request: MemberRequest, card_id: int) -> HttpResponse:
    card = SavedCard.objects.select_related("profile").filter(pk=card_id, profile__user=request.user).first()
    if card is None:
        return not_found(request)
    try:
        cards.delete_card(card)
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("The card ending %(digits)s is deleted.") % {"digits": card.last_digits})
    return redirect("orders")
