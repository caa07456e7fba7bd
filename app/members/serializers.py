"""The member's own profile, as the API answers it: the account's fields and the memberships held."""

from rest_framework import serializers

from app.accounts.models import User
from app.accounts.serializers import ProfileSerializer
from app.core.api_docs import extend_schema_field
from app.store.services.memberships import current


class MemberProfileSerializer(ProfileSerializer):
    """GET/PATCH /api/users/me/."""

    held_memberships = serializers.SerializerMethodField()

    class Meta(ProfileSerializer.Meta):
        fields = [*ProfileSerializer.Meta.fields, "held_memberships"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_held_memberships(self, user: User) -> list[dict[str, object]]:
        """The memberships held now: `[{"membership": id, "name", "start", "end", "source"}]`."""
        return [
            {
                "membership": held.membership_id,
                "name": held.membership.name if held.membership else None,
                "start": held.start.isoformat(),
                "end": held.end.isoformat(),
                "source": held.source,
            }
            for held in current(user)
        ]


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ClosedAccountSerializer(serializers.Serializer):
    detail = serializers.CharField()
    reservations_cancelled = serializers.IntegerField()
    cards_removed = serializers.IntegerField()
    cards_kept = serializers.IntegerField()
