"""History of retreats and invitations: who changed what and when, shown in the admin; never the
video link nor an invitation's token."""

import re
from decimal import Decimal

import pytest

from app.retreats.models import RetreatInvitation
from app.store.models import Coupon
from tests.retreats.conftest import make_retreat

pytestmark = pytest.mark.django_db


def test_a_staff_change_through_the_api_is_recorded_with_who_and_what(admin_client_api, staff_user):
    retreat = make_retreat(price="200.00")
    answer = admin_client_api.patch(
        f"/api/retreats/{retreat.pk}/",
        {"price": "180.00", "video_link": "https://video.example.com/secret-room"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    latest, previous = retreat.history.all()[:2]
    assert latest.history_user == staff_user and latest.history_type == "~"
    assert [(c.field, c.old, c.new) for c in latest.diff_against(previous).changes] == [
        ("price", Decimal("200.00"), Decimal("180.00"))
    ]
    assert not hasattr(latest, "video_link")  # the participants' link is not copied


def test_the_admin_history_page_shows_the_change_and_never_the_video_link(staff_browser, admin_client_api):
    retreat = make_retreat(kind="virtual", video_link="https://video.example.com/secret-room")
    admin_client_api.patch(f"/api/retreats/{retreat.pk}/", {"seats": 12}, format="json")
    page = staff_browser.get(f"/admin/retreats/retreat/{retreat.pk}/history/")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert page.status_code == 200 and "admin@example.com" in text
    assert "Seats: 2 &nbsp;&rarr;&nbsp;&nbsp;12" in text  # the old value beside the new one
    assert "secret-room" not in text


def test_coupons_named_and_invitations_are_in_the_history_without_the_token(admin_client_api):
    retreat = make_retreat()
    retreat.coupons.add(Coupon.objects.create(code="LAKE", amount_off=Decimal("10.00")))
    assert "LAKE" in retreat.history.first().history_change_reason
    answer = admin_client_api.post(
        "/api/retreat-invitations/",
        {"retreat": retreat.pk, "seats": 2, "release_at": "2030-01-01T00:00:00Z"},
        format="json",
    )
    invitation = RetreatInvitation.objects.get(pk=answer.json()["id"])
    [created] = invitation.history.all()
    assert created.history_type == "+" and created.seats == 2 and not hasattr(created, "token")


def test_new_dates_through_the_api_or_the_admin_are_in_the_retreats_history(admin_client_api, staff_browser):
    retreat = make_retreat()
    answer = admin_client_api.patch(
        f"/api/retreats/{retreat.pk}/",
        {"dates": [{"start": "2027-11-06T09:00:00-04:00", "end": "2027-11-08T17:00:00-05:00"}]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert retreat.history.first().history_change_reason == (
        "Dates (America/Montreal): 2027-11-06 09:00 → 2027-11-08 17:00"
    )
    page = staff_browser.get(f"/admin/retreats/retreat/{retreat.pk}/history/")
    assert "2027-11-06 09:00 → 2027-11-08 17:00" in page.content.decode()

    form = staff_browser.get(f"/admin/retreats/retreat/{retreat.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "coupons"}
    data.update({"timezone": "America/Montreal", "partial_refund_percent": "50"})
    date = retreat.dates.get()
    data.update(
        {
            "dates-TOTAL_FORMS": "1",
            "dates-INITIAL_FORMS": "1",
            "dates-0-id": date.pk,
            "dates-0-retreat": retreat.pk,
            "dates-0-start_0": "2027-11-06",
            "dates-0-start_1": "10:00",
            "dates-0-end_0": "2027-11-08",
            "dates-0-end_1": "17:00",
            "reservations-TOTAL_FORMS": "0",
            "reservations-INITIAL_FORMS": "0",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
        }
    )
    changed = staff_browser.post(f"/admin/retreats/retreat/{retreat.pk}/change/", data)
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    assert "2027-11-06 10:00 → 2027-11-08 17:00" in retreat.history.first().history_change_reason
