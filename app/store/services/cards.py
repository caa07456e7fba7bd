"""Saved cards: a vault profile per member (created on first use), cards added from single-use
tokens. No card number ever reaches the server."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Invalid
from app.integrations.payments import (
    CardAlreadySaved,
    GatewayError,
    PaymentGateway,
    ProfileAlreadyExists,
    RecordNotFound,
    get_gateway,
)
from app.store.models import PaymentProfile, SavedCard
from app.store.services.payment_errors import domain_error


def refuse_saved_card_token(single_use_token: str) -> None:
    """A saved card's token is only ever charged through `payment_token`, after the ownership check.

    The gateway accepts either kind of token in the same place, so the store tells them apart.
    """
    if SavedCard.objects.filter(payment_token=single_use_token).exists():
        raise Invalid(
            fields={
                "single_use_token": [
                    _("This is not a single-use token. To pay with one of your saved cards, send payment_token.")
                ]
            }
        )


def _vault_profile(user: User, gateway: PaymentGateway) -> PaymentProfile:
    """The member's profile, created in the vault on first use.

    `merchant_customer_id` is stored before the vault is called, so a profile created there but
    never recorded here (a timeout) is found again by that id.
    """
    profile, _created = PaymentProfile.objects.get_or_create(
        user=user, defaults={"merchant_customer_id": f"member-{uuid.uuid4().hex}"}
    )
    if profile.paysafe_profile_id:
        return profile
    try:
        try:
            vault_profile = gateway.create_profile(
                merchant_customer_id=profile.merchant_customer_id,
                first_name=user.first_name,
                last_name=user.last_name,
                email=user.email,
                phone=user.phone,
            )
        except ProfileAlreadyExists:
            vault_profile = gateway.find_profile(profile.merchant_customer_id)
    except GatewayError as error:
        raise domain_error(error) from None
    profile.paysafe_profile_id = vault_profile.id
    PaymentProfile.objects.filter(pk=profile.pk).update(paysafe_profile_id=profile.paysafe_profile_id)
    return profile


def save_card(user: User, single_use_token: str) -> SavedCard:
    """Save the card behind `single_use_token`; a card saved already is reused."""
    refuse_saved_card_token(single_use_token)
    try:
        gateway = get_gateway()
        profile = _vault_profile(user, gateway)
        try:
            card = gateway.add_card(profile.paysafe_profile_id, single_use_token)
        except CardAlreadySaved as exists:
            if not exists.card_id:
                raise
            card = gateway.get_card(profile.paysafe_profile_id, exists.card_id)
    except GatewayError as error:
        raise domain_error(error) from None
    saved, _created = SavedCard.objects.update_or_create(
        profile=profile,
        paysafe_card_id=card.id,
        defaults={
            "payment_token": card.payment_token,
            "card_type": card.card_type,
            "last_digits": card.last_digits,
            "expiry_month": card.expiry_month,
            "expiry_year": card.expiry_year,
        },
    )
    return saved


def delete_card(card: SavedCard) -> None:
    """Remove the card from the vault, then here (a card already gone from the vault is forgotten too)."""
    try:
        get_gateway().delete_card(card.profile.paysafe_profile_id, card.paysafe_card_id)
    except RecordNotFound:
        pass
    except GatewayError as error:
        raise domain_error(error) from None
    card.delete()
