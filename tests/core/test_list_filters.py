"""Every list endpoint filters and orders through django-filter, and refuses what it does not know.

The list endpoints are discovered from the URL map, so a new list is covered as soon as it exists.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from app.bookings.models import Reservation, TimeSlot
from app.core.filters import BaseFilterSet
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client
from tests.core.test_get_never_writes import iter_patterns


def list_urls():
    urls = []
    for route, callback in iter_patterns(get_resolver().url_patterns):
        actions = getattr(callback, "actions", None) or {}
        if route.startswith("api/") and actions.get("get") == "list":
            urls.append((f"/{route}", callback.cls))
    return urls


LISTS = list_urls()


def test_the_url_map_has_the_expected_lists():
    paths = {path for path, _ in LISTS}
    assert {"/api/reservations/", "/api/orders/", "/api/users/", "/api/timeslots/", "/api/memberships/"} <= paths


@pytest.mark.parametrize(("path", "view"), LISTS, ids=[path for path, _ in LISTS])
def test_every_list_has_a_filterset_with_ordering_and_refuses_unknown_parameters(admin_client_api, path, view):
    filterset_class = view().filterset_class  # read on a view (on the class: a lazy descriptor)
    assert issubclass(filterset_class, BaseFilterSet)
    assert "ordering" in filterset_class.base_filters
    response = admin_client_api.get(f"{path}?colour=blue&limit=5")
    assert response.status_code == 400, response.content
    body = response.json()["fields"]
    assert "colour" in body and "Unknown query parameter" in body["colour"][0]
    assert "limit" not in body  # pagination parameters are known everywhere
    bad_order = admin_client_api.get(f"{path}?ordering=colour")
    assert bad_order.status_code == 400 and "ordering" in bad_order.json()["fields"]
    assert admin_client_api.get(f"{path}?ordering=-id").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("workplace=abc", "workplace"),
        ("period=-3", "period"),
        ("date_from=2030-13-40", "date_from"),
        ("upcoming=maybe", "upcoming"),
        ("available=perhaps", "available"),
    ],
)
def test_malformed_slot_filters_are_400s_naming_them(anon_client, query, field):
    response = anon_client.get(f"/api/timeslots/?{query}")
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.fixture
def week(db, staff_user):
    """Two workplaces, slots over several days, reservations by two members (one came, one did not)."""
    montreal, other = make_workplace(), make_workplace(name="Other Place", city="Quebec")
    period, other_period = make_period(montreal), make_period(other, price=2)
    slots = [make_slot(period, days_ahead=days) for days in (2, 3, 4)] + [make_slot(other_period, days_ahead=5)]
    ann = give_tickets(make_user(email="ann@example.com", last_name="Anders"), 10)
    bob = give_tickets(make_user(email="bob@example.com", last_name="Brown"), 10)
    rows = {
        "ann_1": Reservation.objects.create(user=ann, timeslot=slots[0], price=1),
        "ann_2": Reservation.objects.create(user=ann, timeslot=slots[2], price=1, status="cancelled"),
        "bob_1": Reservation.objects.create(user=bob, timeslot=slots[1], price=1, booked_by=staff_user),
        "bob_2": Reservation.objects.create(user=bob, timeslot=slots[3], price=2),
    }
    return {"ann": ann, "bob": bob, "slots": slots, "montreal": montreal, "other": other, "rows": rows}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_reservations_filter_and_order_for_staff(admin_client_api, week):
    rows, slots = week["rows"], week["slots"]
    get = admin_client_api.get
    assert ids(get(f"/api/reservations/?user={week['bob'].pk}&ordering=start")) == [rows["bob_1"].pk, rows["bob_2"].pk]
    assert ids(get(f"/api/reservations/?workplace={week['other'].pk}")) == [rows["bob_2"].pk]
    assert ids(get("/api/reservations/?status=cancelled")) == [rows["ann_2"].pk]
    assert ids(get("/api/reservations/?booked_by_staff=true")) == [rows["bob_1"].pk]
    assert ids(get("/api/reservations/?search=anders&ordering=-start")) == [rows["ann_2"].pk, rows["ann_1"].pk]
    day = slots[1].local_date
    in_range = get(f"/api/reservations/?date_after={day}&date_before={day + timedelta(days=1)}&ordering=start")
    assert ids(in_range) == [rows["bob_1"].pk, rows["ann_2"].pk]
    bad = get("/api/reservations/?date_after=tomorrow")
    assert bad.status_code == 400 and "date" in bad.json()["fields"]
    assert get("/api/reservations/?status=maybe").status_code == 400


def test_a_member_sees_only_their_rows_and_cannot_use_staff_filters(week):
    ann_client = token_client(week["ann"])
    rows = week["rows"]
    assert ids(ann_client.get("/api/reservations/?ordering=start")) == [rows["ann_1"].pk, rows["ann_2"].pk]
    # Filtering on another member's slot or workplace still shows only their own rows.
    assert ids(ann_client.get(f"/api/reservations/?timeslot={week['slots'][1].pk}")) == []
    for query in (f"user={week['bob'].pk}", "booked_by_staff=true", "search=brown"):
        response = ann_client.get(f"/api/reservations/?{query}")
        assert response.status_code == 400, query
        name = query.split("=")[0]
        assert response.json()["fields"][name] == ["Only staff may filter on this."]
    refused = ann_client.get(f"/api/orders/?user={week['bob'].pk}")
    assert refused.status_code == 400 and "user" in refused.json()["fields"]


def test_members_see_their_attendance_filter(week):
    rows = week["rows"]
    Reservation.objects.filter(pk=rows["ann_1"].pk).update(is_present=True)
    ann_client = token_client(week["ann"])
    assert ids(ann_client.get("/api/reservations/?is_present=true")) == [rows["ann_1"].pk]
    assert ids(ann_client.get("/api/reservations/?attendance_taken=false")) == [rows["ann_2"].pk]


def test_slot_filters_keep_their_names_and_order(anon_client, week):
    slots = week["slots"]
    first_day = slots[0].local_date
    assert ids(anon_client.get(f"/api/timeslots/?workplace={week['montreal'].pk}&ordering=-start")) == [
        slots[2].pk,
        slots[1].pk,
        slots[0].pk,
    ]
    between = anon_client.get(
        f"/api/timeslots/?date_from={first_day + timedelta(days=1)}&date_to={slots[2].local_date}"
    )
    assert ids(between) == [slots[1].pk, slots[2].pk]
    TimeSlot.objects.filter(pk=slots[0].pk).update(start=timezone.now() - timedelta(hours=1))
    assert slots[0].pk not in ids(anon_client.get("/api/timeslots/?upcoming=true&limit=50"))


def test_users_filter_by_search_flags_and_dates(admin_client_api, week, staff_user):
    found = admin_client_api.get("/api/users/?search=bro&is_active=true")
    assert ids(found) == [week["bob"].pk]
    today = timezone.localdate()
    joined = admin_client_api.get(f"/api/users/?date_joined_after={today}&is_staff=false&ordering=email")
    assert ids(joined) == [week["ann"].pk, week["bob"].pk]
    assert admin_client_api.get("/api/users/?is_staff=sometimes").status_code == 400


def test_workplaces_and_products_filter_for_visitors(anon_client, week):
    assert ids(anon_client.get("/api/workplaces/?city=quebec")) == [week["other"].pk]
    assert ids(anon_client.get("/api/workplaces/?search=place")) == [week["other"].pk]
    assert anon_client.get("/api/memberships/?price_min=abc").status_code == 400
    assert anon_client.get("/api/packages/?ordering=-price").status_code == 200


def test_filter_query_counts_do_not_grow_with_rows(admin_client_api, db):
    period = make_period(make_workplace(seats=50))
    counts = []
    for n in (5, 25):
        while Reservation.objects.count() < n:
            index = Reservation.objects.count()
            user = give_tickets(make_user(email=f"q{index}@example.com"), 1)
            Reservation.objects.create(user=user, timeslot=make_slot(period, days_ahead=2 + index), price=1)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client_api.get("/api/reservations/?status=active&search=example&ordering=-start&limit=100")
        assert len(response.json()["results"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_schema_documents_the_filters(admin_client_api):
    response = admin_client_api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]

    def params(path):
        return {param["name"] for param in paths[path]["get"]["parameters"]}

    assert {"needs_attention", "status", "created_after", "created_before", "ordering", "user"} <= params(
        "/api/orders/"
    )
    assert {"date_after", "date_before", "is_present", "workplace", "ordering"} <= params("/api/reservations/")
    assert {"date_from", "date_to", "upcoming", "ordering"} <= params("/api/timeslots/")
