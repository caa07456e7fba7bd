"""The reservation's answer copies fields built once, shallowly (app/core/serializer_fields.py
AnswerOnlyFields): it answers as DRF's own fields do, and no serializer shares a field with another."""

import pytest
from rest_framework import serializers

from app.bookings.models import Reservation
from app.bookings.serializers import ReservationSerializer
from app.core.serializer_fields import AnswerOnlyFields
from tests.bookings.conftest import give_tickets, make_slot
from tests.conftest import make_user


class PlainReservationSerializer(ReservationSerializer):
    """ReservationSerializer with its fields built by DRF on every use."""

    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


def test_two_reservations_answer_as_drf_builds_them_each_with_fields_of_its_own(period):
    booked = []
    for days, email in ((2, "ana@example.com"), (3, "bea@example.com")):
        member = give_tickets(make_user(email=email), 3)
        booked.append(Reservation.objects.create(user=member, timeslot=make_slot(period, days_ahead=days), price=1))
    first, second = (ReservationSerializer(reservation) for reservation in booked)
    assert first.data != second.data
    assert [first.data, second.data] == [PlainReservationSerializer(reservation).data for reservation in booked]
    for name, field in first.fields.items():
        assert field is not second.fields[name] and field.parent is first and second.fields[name].parent is second
    assert ReservationSerializer(booked, many=True).data == [first.data, second.data]


def test_a_serializer_that_reads_input_cannot_share_its_fields():
    class Writable(AnswerOnlyFields, serializers.ModelSerializer):
        class Meta:
            model = Reservation
            fields = ["id", "is_present"]

    with pytest.raises(TypeError, match="is_present"):
        Writable().fields  # noqa: B018 - building the fields is the test
