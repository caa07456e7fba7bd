"""A sold-out retreat's waiting list on the pages: joining from the retreat's page, one's place,
leaving, the API's refusals as messages, a seat held for the member (until when, the Buy button) on
the retreat's page and in "My retreats", in English and in French, and the offer e-mail's links."""

import re
from datetime import datetime
from itertools import count

import pytest
from django.test import Client

from app.retreats import waitlist
from app.retreats.models import RetreatReservation, RetreatWaitlistEntry
from tests.retreats.conftest import MONTREAL, make_retreat
from tests.web.conftest import make_user

WEEKEND = (datetime(2027, 10, 30, 9, tzinfo=MONTREAL), datetime(2027, 10, 31, 17, tzinfo=MONTREAL))
HELD_UNTIL = datetime(2027, 10, 29, 15, 30, tzinfo=MONTREAL)
_people = count(1)


def sold_out(seats=1):
    """A retreat whose every seat is taken by someone else."""
    retreat = make_retreat(seats=seats, dates=[WEEKEND])
    for _ in range(seats):
        RetreatReservation.objects.create(
            user=make_user(email=f"seated{next(_people)}@example.com"), retreat=retreat, status="confirmed"
        )
    return retreat


def page(client, retreat):
    return client.get(f"/retreats/{retreat.pk}/").content.decode()


def followed(response):
    return response.content.decode()


def test_a_visitor_is_asked_to_log_in_to_join_and_cannot_join_without(client, db):
    retreat = sold_out()
    html = page(client, retreat)
    assert "This retreat is sold out." in html
    assert f'href="/login/?next=/retreats/{retreat.pk}/"' in html and "Log in to join the waiting list" in html
    assert f"/retreats/{retreat.pk}/waitlist/" not in html  # no form to join
    response = client.post(f"/retreats/{retreat.pk}/waitlist/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not RetreatWaitlistEntry.objects.exists()


def test_a_member_joins_with_the_pages_form_sees_their_place_and_leaves(db):
    retreat = sold_out()
    ahead = make_user(email="ahead@example.com")
    waitlist.join(ahead, retreat.pk)
    member = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = page(client, retreat)
    form = re.search(rf'<form method="post" action="/retreats/{retreat.pk}/waitlist/">.*?</form>', html, re.S)
    assert form and "Join the waiting list" in form.group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    assert client.post(f"/retreats/{retreat.pk}/waitlist/").status_code == 403  # no CSRF token: refused

    joined = client.post(f"/retreats/{retreat.pk}/waitlist/", {"csrfmiddlewaretoken": token}, follow=True)
    assert joined.redirect_chain == [(f"/retreats/{retreat.pk}/#waitlist", 302)]
    html = followed(joined)
    assert "You are on the waiting list, number 2. We will e-mail you if a seat frees up." in html
    assert "Number 2 in line." in html and "Leave the list" in html
    assert f"/retreats/{retreat.pk}/waitlist/" not in html  # joined: no second form
    entry = RetreatWaitlistEntry.objects.get(user=member)
    assert entry.status == "waiting"
    # Leaving from the retreat's page brings the member back to it, off the list.
    left = client.post(
        f"/account/retreats/waitlist/{entry.pk}/leave/",
        {"csrfmiddlewaretoken": token, "next": f"/retreats/{retreat.pk}/"},
        follow=True,
    )
    assert left.redirect_chain == [(f"/retreats/{retreat.pk}/", 302)]
    assert "You left the waiting list." in followed(left) and "Join the waiting list" in followed(left)
    assert list(RetreatWaitlistEntry.objects.values_list("user__email", flat=True)) == ["ahead@example.com"]


def test_the_apis_refusals_come_back_as_clear_messages(client, db):
    member = make_user()
    client.force_login(member)
    open_retreat = make_retreat(seats=3, name="Open retreat", dates=[WEEKEND])
    html = followed(client.post(f"/retreats/{open_retreat.pk}/waitlist/", follow=True))
    assert "A seat is free: buy it instead." in html and "Buy a seat" in html

    full = sold_out()
    client.post(f"/retreats/{full.pk}/waitlist/")
    html = followed(client.post(f"/retreats/{full.pk}/waitlist/", follow=True))
    assert "You are already on the waiting list of the retreat “Lake retreat”." in html

    mine = make_retreat(seats=1, name="My own retreat", dates=[WEEKEND])
    RetreatReservation.objects.create(user=member, retreat=mine, status="confirmed")
    html = followed(client.post(f"/retreats/{mine.pk}/waitlist/", follow=True))
    assert "You already have a seat at the retreat “My own retreat”." in html

    begun = make_retreat(seats=1, name="Begun retreat", days_ahead=-1)
    RetreatReservation.objects.create(user=make_user(email="early@example.com"), retreat=begun, status="confirmed")
    response = client.post(f"/retreats/{begun.pk}/waitlist/", follow=True)
    assert "The retreat “Begun retreat” has started: its waiting list is closed." in followed(response)
    assert RetreatWaitlistEntry.objects.filter(user=member).count() == 1  # only the sold-out one
    # Someone else's entry is "not found" to a member: it stays.
    other = RetreatWaitlistEntry.objects.create(user=make_user(email="o@example.com"), retreat=full)
    html = followed(client.post(f"/account/retreats/waitlist/{other.pk}/leave/", follow=True))
    assert "No waiting-list entry with this id." in html and RetreatWaitlistEntry.objects.filter(pk=other.pk).exists()


def test_an_offered_member_sees_the_seat_held_until_when_and_buys_it_from_both_pages(client, db):
    retreat = sold_out(seats=2)
    RetreatReservation.objects.filter(retreat=retreat).first().delete()  # a seat freed, on offer
    member = make_user()
    entry = RetreatWaitlistEntry.objects.create(
        user=member, retreat=retreat, status="offered", offer_expires_at=HELD_UNTIL
    )
    other = make_retreat(seats=1, name="Forest retreat", name_fr="Retraite en forêt", dates=[WEEKEND])
    RetreatReservation.objects.create(user=make_user(email="f@example.com"), retreat=other, status="confirmed")
    RetreatWaitlistEntry.objects.create(user=make_user(email="first@example.com"), retreat=other)
    RetreatWaitlistEntry.objects.create(user=member, retreat=other)
    client.force_login(member)
    held = "A seat is held for you until Friday, October 29, 2027, 3:30 p.m. EDT."
    html = page(client, retreat)
    assert held in html and "Buy a seat" in html
    assert f'href="/store/checkout/?product=retreat&amp;id={retreat.pk}"' in html
    assert f'action="/account/retreats/waitlist/{entry.pk}/leave/"' in html
    assert client.get(f"/store/checkout/?product=retreat&id={retreat.pk}").status_code == 200

    mine = client.get("/account/retreats/").content.decode()
    assert "Waiting lists" in mine and held in mine
    assert f'href="/store/checkout/?product=retreat&amp;id={retreat.pk}"' in mine
    assert "Forest retreat" in mine and "Number 2 in line." in mine
    assert mine.count("Leave the list") == 2
    # Someone else sees the retreat sold out: the held seat is not theirs.
    client.force_login(make_user(email="late@example.com"))
    html = page(client, retreat)
    assert "This retreat is sold out." in html and held not in html and "Join the waiting list" in html
    assert "Waiting lists" not in client.get("/account/retreats/").content.decode()  # on no list: no section


def test_the_waiting_list_in_french(client, db):
    retreat = sold_out()
    member = make_user(language="fr")
    client.cookies["django_language"] = "fr"
    client.force_login(member)
    html = page(client, retreat)
    assert "M’inscrire sur la liste d’attente" in html and "Liste d’attente" in html
    html = followed(client.post(f"/retreats/{retreat.pk}/waitlist/", follow=True))
    assert "Vous êtes sur la liste d’attente, numéro 1." in html and "Numéro 1 dans la file." in html
    assert "Quitter la liste" in html
    RetreatWaitlistEntry.objects.filter(user=member).update(status="offered", offer_expires_at=HELD_UNTIL)
    html = client.get("/account/retreats/").content.decode()
    assert "Une place vous est réservée jusqu’au vendredi 29 octobre 2027" in html and "Acheter une place" in html
    html = followed(client.post(f"/retreats/{retreat.pk}/waitlist/", follow=True))
    assert "Vous êtes déjà sur la liste d’attente de la retraite « Retraite au lac »." in html


@pytest.mark.django_db
def test_the_offer_emails_links_open_the_retreat_and_my_retreats_pages(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://writing.example.com"
    retreat = sold_out()
    member = make_user(email="waiting@example.com")
    waitlist.join(member, retreat.pk)
    with django_capture_on_commit_callbacks(execute=True):
        RetreatReservation.objects.filter(retreat=retreat).update(status="cancelled")
        assert waitlist.process_retreat(retreat.pk) == 1
    [mail] = mailoutbox
    links = re.findall(r"https://writing\.example\.com(\S+)", mail.body)
    assert links == [f"/retreats/{retreat.pk}/", "/account/retreats/#waitlist"]
    client.force_login(member)
    for link in links:
        html = client.get(link.split("#")[0]).content.decode()
        assert "A seat is held for you until" in html
    assert 'id="waitlist"' in html


def test_my_retreats_shows_the_first_20_lists_offers_first_and_says_so(client, db):
    member = make_user()
    retreats = [sold_out() for _ in range(21)]
    for retreat in retreats[:-1]:
        RetreatWaitlistEntry.objects.create(user=member, retreat=retreat)
    RetreatWaitlistEntry.objects.create(
        user=member, retreat=retreats[-1], status="offered", offer_expires_at=HELD_UNTIL
    )  # joined last, yet shown first: it is the one to act on
    client.force_login(member)
    html = client.get("/account/retreats/").content.decode()
    assert html.count("Leave the list") == 20
    assert html.index("A seat is held for you until") < html.index("Number 1 in line.")
    assert "Only your first 20 waiting lists are shown here: seats held for you come first." in html
    RetreatWaitlistEntry.objects.filter(retreat=retreats[0]).delete()
    assert "Only your first" not in client.get("/account/retreats/").content.decode()
