"""Serializers whose fields are built once (app/core/serializer_fields.py) answer as DRF builds them,
and each serializer still owns its fields."""

from rest_framework import serializers

from app.bookings.serializers import ReservationSerializer, TimeSlotSerializer


class PlainReservationSerializer(ReservationSerializer):
    """ReservationSerializer with its fields built by DRF on every use."""

    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


def test_the_fields_are_those_drf_builds_and_each_serializer_owns_its_own():
    for serializer_class in (ReservationSerializer, TimeSlotSerializer):
        first, second = serializer_class(), serializer_class()
        assert list(first.fields) == serializer_class.Meta.fields
        first.fields["price"].read_only = not first.fields["price"].read_only
        assert second.fields["price"].read_only != first.fields["price"].read_only
        assert serializer_class().fields["price"].read_only == second.fields["price"].read_only
    built, plain = ReservationSerializer().fields, PlainReservationSerializer().fields
    assert list(built) == list(plain)
    for name in built:
        assert type(built[name]) is type(plain[name]), name
        assert (built[name].read_only, built[name].required) == (plain[name].read_only, plain[name].required), name
