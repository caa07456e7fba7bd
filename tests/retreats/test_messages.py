"""E-mails to a retreat's participants: a reminder before, a follow-up after, the cancellation with
its refund; each in the member's language, with dates the members' one way, and never twice."""

import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.utils import timezone

from app.core import scheduled
from app.retreats import messages
from app.retreats.models import RetreatMessage, RetreatReservation
from tests.conftest import make_user
from tests.core.subprocess_env import ROOT
from tests.retreats.conftest import MONTREAL, buy_retreat, make_retreat
from tests.store.conftest import SETTLEMENTS, approve

pytestmark = pytest.mark.django_db
REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


def seat(retreat, email, *, days_ago=30, status="confirmed", **fields):
    user = make_user(email=email, **fields)
    reservation = RetreatReservation.objects.create(user=user, retreat=retreat, status=status)
    RetreatReservation.objects.filter(pk=reservation.pk).update(created=timezone.now() - timedelta(days=days_ago))
    return reservation


def to(mailoutbox, email):
    return [message for message in mailoutbox if message.to == [email]]


def test_the_reminder_goes_once_in_the_members_language_days_before_the_first_date(mailoutbox, settings):
    settings.RETREAT_REMINDER_DAYS = 7
    first = (timezone.now() + timedelta(days=5)).astimezone(MONTREAL).replace(hour=9, minute=0, second=0, microsecond=0)
    retreat = make_retreat(dates=[(first, first + timedelta(hours=8))], city="Magog")
    seat(retreat, "lea@example.com", language="fr", first_name="Léa")
    seat(retreat, "sam@example.com", language="en", first_name="Sam")
    seat(retreat, "late@example.com", days_ago=1)  # bought after the reminder's time: the confirmation said it
    seat(retreat, "gone@example.com", status="cancelled")
    later = make_retreat(name="Later", days_ahead=10)
    seat(later, "later@example.com")

    assert messages.send_due() == 2
    [french] = to(mailoutbox, "lea@example.com")
    assert "Votre retraite Retraite au lac approche" in french.subject and "Bonjour Léa" in french.body
    assert "HNE" in french.body.replace("\xa0", " ") or "HAE" in french.body
    assert "America/Montreal" not in french.body and "Magog" in french.body
    [english] = to(mailoutbox, "sam@example.com")
    assert "Lake retreat is coming up" in english.subject and ("EST" in english.body or "EDT" in english.body)
    assert not to(mailoutbox, "late@example.com") and not to(mailoutbox, "later@example.com")
    assert not to(mailoutbox, "gone@example.com")

    assert messages.send_due() == 0  # never twice
    assert len(mailoutbox) == 2


def test_the_follow_up_carries_the_retreats_link_and_goes_once(mailoutbox, settings):
    settings.RETREAT_FOLLOW_UP_HOURS = 24
    start = timezone.now() - timedelta(days=4)
    retreat = make_retreat(dates=[(start, start + timedelta(days=2))], follow_up_link="https://example.com/survey")
    seat(retreat, "lea@example.com", language="fr")
    no_link = make_retreat(name="No link", dates=[(start, start + timedelta(days=2))])
    seat(no_link, "nolink@example.com")
    long_ago = timezone.now() - timedelta(days=40)
    old = make_retreat(
        name="Old", dates=[(long_ago, long_ago + timedelta(days=1))], follow_up_link="https://example.com/old"
    )
    seat(old, "old@example.com", days_ago=60)
    just_ended = timezone.now() - timedelta(hours=30)
    fresh = make_retreat(
        name="Fresh", dates=[(just_ended, just_ended + timedelta(hours=8))], follow_up_link="https://example.com/x"
    )
    seat(fresh, "fresh@example.com")  # ended 22 hours ago: not yet

    assert messages.send_due() == 1
    [follow_up] = to(mailoutbox, "lea@example.com")
    assert "Merci d’avoir participé" in follow_up.subject and "https://example.com/survey" in follow_up.body
    assert messages.send_due() == 0

    no_link.follow_up_link = "https://example.com/later"  # set late, within the catch-up window: it goes
    no_link.save()
    assert messages.send_due() == 1 and "https://example.com/later" in to(mailoutbox, "nolink@example.com")[0].body


def test_a_seat_is_claimed_once_even_when_two_runs_overlap():
    retreat = make_retreat()
    reservation = seat(retreat, "lea@example.com")
    now = timezone.now()
    assert messages._claim(reservation, RetreatMessage.Kind.REMINDER, now) is True
    assert messages._claim(reservation, RetreatMessage.Kind.REMINDER, now) is False  # the other run sends nothing
    assert messages._claim(reservation, RetreatMessage.Kind.FOLLOW_UP, now) is True


def test_cancelling_e_mails_the_refund_in_the_members_language(
    paysafe, member, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    member.language = "fr"
    member.save(update_fields=["language"])
    retreat = make_retreat(days_ahead=20)  # 50 %
    approve(paysafe)
    buy_retreat(member_client, retreat)
    reservation = RetreatReservation.objects.get()
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = member_client.delete(f"/api/retreat-reservations/{reservation.pk}/")
    assert answer.json()["refunded_amount"] == "114.98"
    [cancelled] = [message for message in mailoutbox if "annulée" in message.subject]
    assert "Retraite au lac" in cancelled.subject and "114,98" in cancelled.body


def test_a_late_cancellation_says_nothing_is_refunded(
    paysafe, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    retreat = make_retreat(days_ahead=3)
    approve(paysafe)
    buy_retreat(member_client, retreat)
    reservation = RetreatReservation.objects.get()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member_client.delete(f"/api/retreat-reservations/{reservation.pk}/")
    [cancelled] = mailoutbox
    assert "is cancelled" in cancelled.subject and "nothing is refunded" in cancelled.body


def test_the_confirmation_writes_a_date_across_days_with_both_ends(
    paysafe, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    first = datetime(2027, 3, 5, 9, tzinfo=MONTREAL)
    retreat = make_retreat(dates=[(first, first + timedelta(days=2, hours=8))])
    approve(paysafe)
    with django_capture_on_commit_callbacks(execute=True):
        buy_retreat(member_client, retreat)
    [confirmation] = [message for message in mailoutbox if "Lake retreat" in message.subject]
    body = confirmation.body.replace("\xa0", " ").replace("\u202f", " ")
    assert "Friday, March 5, 2027, 9:00 a.m. EST – Sunday, March 7, 2027, 5:00 p.m. EST" in body


def test_the_commands_are_scheduled_on_every_stage():
    out = StringIO()
    call_command("send_retreat_messages", stdout=out)
    assert "0 retreat message(s) sent." in out.getvalue()
    assert scheduled.send_retreat_messages({}, None) == {"command": "send_retreat_messages", "ok": True}
    assert scheduled.process_retreat_waitlists({}, None) == {"command": "process_retreat_waitlists", "ok": True}
    events = json.loads((ROOT / "zappa_settings.json").read_text())["dev"]["events"]
    assert {"function": "app.core.scheduled.send_retreat_messages", "expression": "rate(15 minutes)"} in events
    assert {"function": "app.core.scheduled.process_retreat_waitlists", "expression": "rate(5 minutes)"} in events
