from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from app.accounts import services
from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, User
from app.core.i18n import LocalizedNamesMixin, current_language


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "is_university"]


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "organization", "name"]


class AcademicLevelSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = AcademicLevel
        fields = ["id", "name", "name_fr"]


class AcademicFieldSerializer(LocalizedNamesMixin, serializers.ModelSerializer):
    class Meta:
        model = AcademicField
        fields = ["id", "name", "name_fr"]


# --- Members --------------------------------------------------------------------------------

PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "birth_date",
    "university",
    "academic_level",
    "academic_field",
    "language",  # of every e-mail the member receives
]

_MEMBER_REFUSED = services.MEMBER_REFUSED
_ADMIN_REFUSED = {
    "is_staff": _("Staff status is changed in the Django admin."),
    "is_superuser": _("Staff status is changed in the Django admin."),
    "password": _("Members change their password themselves (/api/password/reset/)."),
}


class _RefusingSerializer(serializers.ModelSerializer):
    """Names every field the caller may not change instead of silently ignoring it."""

    refused: dict[str, Any] = {}  # field -> its (lazily translated) reason

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            services.check_refused(data.keys(), self.refused)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        if "email" in attrs:
            attrs["email"] = services.check_new_email(attrs["email"])
        email = current("email") or ""
        if "email" in attrs:
            services.check_email_free(email, exclude_pk=getattr(self.instance, "pk", None))
        services.check_university(email, current("university"), current("academic_level"), current("academic_field"))
        return attrs

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        # Only the columns sent are written: a full save would put back a stale `tickets` value
        # over a purchase or reservation that committed meanwhile.
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if validated_data:
            instance.save(update_fields=list(validated_data))
        return instance


class SignUpSerializer(_RefusingSerializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
    refused = {name: message for name, message in _MEMBER_REFUSED.items() if name not in ("email", "password")}

    class Meta:
        model = User
        fields = ["email", "password", *PROFILE_FIELDS]
        # The e-mail's uniqueness is checked case-insensitively in validate(), with one message.
        extra_kwargs: dict[str, dict[str, Any]] = {
            "first_name": {"required": True},
            "last_name": {"required": True},
            "email": {"validators": []},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        # Not sent: the language of the page or request the member signed up from.
        attrs.setdefault("language", current_language())
        candidate = User(**{k: v for k, v in attrs.items() if k in ("email", "first_name", "last_name")})
        services.check_new_password(attrs["password"], candidate, field="password")
        return attrs


class SignUpResultSerializer(serializers.Serializer):
    """What an anonymous sign-up gets back: no e-mail, phone or birth date."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    is_active = serializers.BooleanField()
    email_sent = serializers.BooleanField()
    detail = serializers.CharField()


class ProfileSerializer(_RefusingSerializer):
    """What a member may read and change of their own account (GET/PATCH /api/users/me/ adds the
    memberships they hold: `app.members.serializers.MemberProfileSerializer`)."""

    refused = _MEMBER_REFUSED
    has_membership = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            *PROFILE_FIELDS,
            "session_reminders",  # send_reminders e-mails the member before each session
            "tickets",
            "membership_end",
            "has_membership",
            "is_active",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "tickets", "membership_end", "is_active", "is_staff", "date_joined"]


class AdminUserSerializer(_RefusingSerializer):
    """Admins edit members; a balance change goes through the ticket ledger."""

    refused = _ADMIN_REFUSED
    tickets = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)  # the column's range
    has_membership = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [*ProfileSerializer.Meta.fields, "held_memberships", "last_login"]  # ids (the reverse relation)
        read_only_fields = ["id", "is_staff", "date_joined", "last_login"]
        extra_kwargs: dict[str, dict[str, Any]] = {"email": {"validators": []}}

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        return services.update_member(instance, validated_data, actor=self.context["request"].user, reference="api")


# --- Tokens and passwords -------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class ActivationSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class ResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)
    new_password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    new_password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
