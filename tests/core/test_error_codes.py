"""Every error code, once in English and once in French: the words change with the language, the
code never does. One test per code (`ErrorCode`); a client can branch on the code alone."""

from datetime import timedelta

import pytest
import requests
import responses
from django.utils import timezone, translation
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from app.bookings import exceptions as bookings_errors
from app.bookings.models import TimeSlot
from app.core import exceptions as domain
from app.core.exceptions import ERROR_CODE_MEANINGS, ErrorCode
from app.store.models import Order, Package
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client
from tests.store.conftest import AUTHS, REFUNDS, SETTLEMENTS, approve, error_body, fake_paysafe

LANGUAGES = {"en": {"HTTP_ACCEPT_LANGUAGE": "en"}, "fr": {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9"}}


@pytest.fixture
def world(db, settings):
    """A member with 5 tickets, a workplace of 1 seat, and the payment gateway answered by `responses`."""
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 24
    member = give_tickets(make_user(), 5)
    period = make_period(make_workplace(seats=1))
    with fake_paysafe(settings) as paysafe:
        yield {
            "member": member,
            "client": token_client(member),
            "staff": token_client(make_user(email="staff@example.com", is_staff=True)),
            "period": period,
            "slot": make_slot(period, days_ahead=3),
            "package": Package.objects.create(name="5 tickets", price="25.00", tickets=5),
            "paysafe": paysafe,
        }


def _reserve(world, headers):
    return world["client"].post("/api/reservations/", {"timeslot": world["slot"].pk}, format="json", **headers)


def slot_full(world):
    give_tickets(make_user(email="first@example.com"), 1).reservations.create(timeslot=world["slot"], price=1)
    return lambda headers: _reserve(world, headers)


def already_reserved(world):
    assert _reserve(world, {}).status_code == 201
    return lambda headers: _reserve(world, headers)


def not_enough_tickets(world):
    world["slot"] = make_slot(make_period(make_workplace(name="Dear"), price=9))
    return lambda headers: _reserve(world, headers)


def slot_started(world):
    now = timezone.now()
    TimeSlot.objects.filter(pk=world["slot"].pk).update(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    return lambda headers: _reserve(world, headers)


def cancellation_deadline_passed(world):
    reservation = _reserve(world, {}).json()["id"]
    now = timezone.now()
    TimeSlot.objects.filter(pk=world["slot"].pk).update(start=now + timedelta(hours=2), end=now + timedelta(hours=3))
    return lambda headers: world["client"].delete(f"/api/reservations/{reservation}/", **headers)


def _join(world, headers):
    return world["client"].post(f"/api/timeslots/{world['slot'].pk}/waitlist/", **headers)


def _fill(world):
    give_tickets(make_user(email="first@example.com"), 1).reservations.create(timeslot=world["slot"], price=1)


def already_waiting(world):
    _fill(world)
    assert _join(world, {}).status_code == 201
    return lambda headers: _join(world, headers)


def waitlist_seat_available(world):
    return lambda headers: _join(world, headers)


def waitlist_closed(world):
    _fill(world)
    now = timezone.now()
    TimeSlot.objects.filter(pk=world["slot"].pk).update(start=now + timedelta(hours=1), end=now + timedelta(hours=2))
    return lambda headers: _join(world, headers)


def move_deadline_passed(world):
    reservation = _reserve(world, {}).json()["id"]
    other = make_slot(world["period"], days_ahead=4)
    now = timezone.now()
    TimeSlot.objects.filter(pk=world["slot"].pk).update(start=now + timedelta(hours=2), end=now + timedelta(hours=3))
    url = f"/api/reservations/{reservation}/move/"
    return lambda headers: world["client"].post(url, {"timeslot": other.pk}, format="json", **headers)


def coupon_not_usable(world):
    body = {"code": "NOPE", "lines": [{"product": "package", "id": world["package"].pk, "quantity": 1}]}
    return lambda headers: world["client"].post("/api/coupons/check/", body, format="json", **headers)


def payment_declined(world):
    world["paysafe"].add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)
    return lambda headers: _buy(world, headers)


def payment_unavailable(world):
    world["paysafe"].add(responses.POST, AUTHS, json=error_body("5279", "bad credentials"), status=401)
    return lambda headers: _buy(world, headers)


def _buy(world, headers, quantity=1):
    body = {"lines": [{"product": "package", "id": world["package"].pk, "quantity": quantity}], "single_use_token": "t"}
    return world["client"].post("/api/orders/", body, format="json", **headers)


def refund_pending(world):
    approve(world["paysafe"])
    order = Order.objects.get(pk=_buy(world, {}, quantity=2).json()["id"])
    world["paysafe"].add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", body=requests.Timeout("slow"))
    world["paysafe"].add(responses.GET, REFUNDS, json={"refunds": []})
    url = f"/api/orders/{order.pk}/refund/"
    assert world["staff"].post(url, {}, format="json").status_code == 503  # the first refund's fate is unknown
    line = {"lines": [{"id": order.lines.get().pk, "quantity": 1}], "force": True}  # another refund meanwhile
    return lambda headers: world["staff"].post(url, line, format="json", **headers)


def not_found(world):
    return lambda headers: world["client"].get("/api/orders/999999/", **headers)


def not_authenticated(world):
    return lambda headers: APIClient().get("/api/users/me/", **headers)


def authentication_failed(world):
    return lambda headers: APIClient().get("/api/users/me/", HTTP_AUTHORIZATION="Token wrong", **headers)


def permission_denied(world):
    return lambda headers: world["client"].get("/api/users/", **headers)


def invalid(world):
    return lambda headers: APIClient().post("/api/users/", {"email": "not-an-address"}, format="json", **headers)


def method_not_allowed(world):
    url = f"/api/users/{world['member'].pk}/"
    return lambda headers: world["staff"].put(url, {}, format="json", **headers)


def unsupported_media_type(world):
    return lambda headers: world["client"].post("/api/reservations/", "x", content_type="text/plain", **headers)


def parse_error(world):
    return lambda headers: world["client"].post(
        "/api/reservations/", "{not json", content_type="application/json", **headers
    )


def not_acceptable(world):
    return lambda headers: world["client"].get("/api/users/me/", HTTP_ACCEPT="application/xml", **headers)


def body_too_large(world):
    return lambda headers: world["client"].post(
        "/api/reservations/", "x", content_type="application/json", CONTENT_LENGTH="999999999", **headers
    )


def throttled(world):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/min"}
    world["monkeypatch"].setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    APIClient().get("/api/organizations/")

    def call(headers):
        return APIClient().get("/api/organizations/", **headers)

    return call


def retreat_sold_out(world):
    from tests.retreats.conftest import make_retreat

    retreat = make_retreat(seats=0)
    body = {"lines": [{"product": "retreat", "id": retreat.pk}], "single_use_token": "tok-1"}
    return lambda headers: world["client"].post("/api/orders/", body, format="json", **headers)


def retreat_link_not_open(world):
    from app.retreats.models import RetreatReservation
    from tests.retreats.conftest import make_retreat

    retreat = make_retreat(kind="virtual", video_link="https://meet.example.com/room")
    seat = RetreatReservation.objects.create(user=world["member"], retreat=retreat, status="confirmed")
    return lambda headers: world["client"].get(f"/api/retreat-reservations/{seat.pk}/join/", **headers)


def retreat_option_sold_out(world):
    from app.retreats.models import RetreatOption, RetreatReservation
    from tests.retreats.conftest import make_retreat

    retreat = make_retreat()
    RetreatReservation.objects.create(user=world["member"], retreat=retreat, status="confirmed")
    room = RetreatOption.objects.create(retreat=retreat, name="Single room", price="80.00", stock=0)
    body = {"lines": [{"product": "retreat_option", "id": room.pk}], "single_use_token": "tok-1"}
    return lambda headers: world["client"].post("/api/orders/", body, format="json", **headers)


def retreat_exchange_closed(world):
    from app.retreats.models import RetreatReservation
    from tests.retreats.conftest import make_retreat

    seat = RetreatReservation.objects.create(user=world["member"], retreat=make_retreat(), status="confirmed")
    url = f"/api/retreat-reservations/{seat.pk}/exchange/"
    other = make_retreat(name="Sea")
    return lambda headers: world["client"].post(
        url, {"retreat": other.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1", **headers
    )


def retreat_date_not_started(world):
    from app.retreats.models import RetreatReservation
    from tests.retreats.conftest import make_retreat

    seat = RetreatReservation.objects.create(user=world["member"], retreat=make_retreat(), status="confirmed")
    body = {"date": seat.retreat.dates.get().pk, "present": True}
    url = f"/api/retreat-reservations/{seat.pk}/attendance/"
    return lambda headers: world["staff"].post(url, body, format="json", **headers)


# Codes no request of a test can meet on sqlite without staging a fault: the exception a service
# raises for it goes through DRF's exception handler as any view's would.
RAISED = {
    ErrorCode.ERROR: domain.DomainError,
    ErrorCode.CONFLICT: domain.Conflict,
    ErrorCode.IN_USE: domain.InUse,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: domain.IdempotencyKeyReused,
    ErrorCode.BUSY: domain.Busy,
    ErrorCode.PROVIDER_UNAVAILABLE: domain.ProviderUnavailable,
    ErrorCode.OUTCOME_PENDING: domain.OutcomePending,
    ErrorCode.DATABASE_UNAVAILABLE: domain.DatabaseUnavailable,
    ErrorCode.PAYMENT_BEING_VERIFIED: domain.PaymentBeingVerified,
    # The member's week: met through the API in tests/bookings/test_waitlist.py and test_move.py.
    ErrorCode.ALREADY_WAITING: bookings_errors.AlreadyWaiting,
    ErrorCode.WAITLIST_SEAT_AVAILABLE: bookings_errors.SeatAvailable,
    ErrorCode.WAITLIST_CLOSED: bookings_errors.WaitlistClosed,
    ErrorCode.MOVE_DEADLINE_PASSED: bookings_errors.MoveDeadlinePassed,
}
# Answered outside DRF (Django's handlers, the CSRF failure view).
HANDLERS = {ErrorCode.CSRF_FAILED, ErrorCode.BAD_REQUEST, ErrorCode.SERVER_ERROR}

SCENARIOS = {
    function.__name__: function
    for function in (
        slot_full, already_reserved, not_enough_tickets, slot_started, cancellation_deadline_passed,
        coupon_not_usable, payment_declined, payment_unavailable, refund_pending, not_found,
        not_authenticated, authentication_failed, permission_denied, invalid, method_not_allowed,
        unsupported_media_type, parse_error, not_acceptable, body_too_large, throttled,
        already_waiting, waitlist_seat_available, waitlist_closed, move_deadline_passed,
        retreat_sold_out, retreat_link_not_open, retreat_option_sold_out, retreat_exchange_closed,
        retreat_date_not_started,
    )
}  # fmt: skip


def test_every_code_has_its_test_and_its_meaning():
    assert set(SCENARIOS) | set(RAISED) | HANDLERS == set(ErrorCode)
    assert set(ERROR_CODE_MEANINGS) == set(ErrorCode)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_a_request_gets_the_same_code_in_english_and_in_french(world, code, monkeypatch):
    call = SCENARIOS[code]({**world, "monkeypatch": monkeypatch})
    english, french = (call(headers) for headers in LANGUAGES.values())
    assert english.status_code == french.status_code >= 400, (english.content, french.content)
    assert english.json()["code"] == french.json()["code"] == code, (english.json(), french.json())
    assert english.json()["detail"] != french.json()["detail"], english.json()  # the words did change


@pytest.mark.parametrize("code", sorted(RAISED))
def test_a_raised_domain_error_gets_the_same_code_in_english_and_in_french(code):
    class Raising(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise RAISED[code]()

    answers = []
    for language in LANGUAGES:
        with translation.override(language):
            answers.append(Raising.as_view()(APIRequestFactory().get("/")).data)
    english, french = answers
    assert english["code"] == french["code"] == code
    assert english["detail"] != french["detail"]


def test_djangos_own_error_pages_carry_their_codes_in_both_languages(rf):
    from app.core import errors

    for language in LANGUAGES:
        with translation.override(language):
            assert errors.bad_request(rf.get("/"))["Content-Type"] == "application/json"
            assert b'"code": "bad_request"' in errors.bad_request(rf.get("/")).content
            assert b'"code": "server_error"' in errors.server_error(rf.get("/")).content


def test_a_csrf_failure_carries_its_code_in_both_languages(db):
    from django.test import Client

    member = make_user(email="browser@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    answers = [client.post("/api/reservations/", {}, **headers) for headers in LANGUAGES.values()]
    assert [answer.status_code for answer in answers] == [403, 403]
    assert answers[0].json()["code"] == answers[1].json()["code"] == "csrf_failed"
    assert answers[0].json()["detail"] != answers[1].json()["detail"]


def test_docs_list_every_code_with_its_meaning():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    for code, meaning in ERROR_CODE_MEANINGS.items():
        assert f"| `{code}` |" in docs and meaning in docs, code
