"""Serializers whose fields are built once (app/core/serializer_fields.py) answer as DRF builds them,
and each serializer still owns its fields."""

from types import SimpleNamespace

from rest_framework import serializers

from app.bookings.models import Workplace
from app.bookings.serializers import ReservationSerializer, TimeSlotSerializer
from app.core.serializer_fields import FieldsBuiltOnce


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


class TaggedWorkplaceSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)  # a field with a child

    class Meta:
        model = Workplace
        fields = ["id", "name", "tags"]


def test_a_serializer_that_only_answers_gets_shallow_copies_and_one_given_data_deep_ones():
    """Answering (an instance, no data) never changes what a shallow copy shares; validating may."""
    answering, other = TimeSlotSerializer(instance=SimpleNamespace()), TimeSlotSerializer(instance=SimpleNamespace())
    writing = TimeSlotSerializer(data={})

    assert answering.fields["price"] is not other.fields["price"]  # each serializer binds its own
    assert answering.fields["price"].validators is other.fields["price"].validators  # shallow: shared
    assert writing.fields["price"].validators is not answering.fields["price"].validators  # deep
    answering.fields["price"].read_only = True
    assert other.fields["price"].read_only is False
    first, second = TaggedWorkplaceSerializer(instance=SimpleNamespace()), TaggedWorkplaceSerializer(instance=[])
    assert first.fields["tags"].child is not second.fields["tags"].child  # a child is never shared
    assert first.fields["tags"].child.parent is first.fields["tags"]
