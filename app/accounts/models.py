"""Members, their organizations, API tokens and the ticket ledger."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from app.core.i18n import localized
from app.security.emails import canonical_email
from app.security.validators import validate_date_in_range, validate_plain_name


class Organization(models.Model):
    """A university (or any organization) whose members sign up with its e-mail domains."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_name])
    is_university = models.BooleanField(_("university"), default=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organization_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    """An e-mail domain (`umontreal.ca`) that belongs to one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="domains", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=253)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="domain_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = self.name.strip().lower()
        super().save(*args, **kwargs)


class AcademicLevel(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_plain_name])
    name_fr = models.CharField(
        _("name (French)"),
        max_length=100,
        blank=True,
        validators=[validate_plain_name],
        help_text=_("Empty: the English name."),
    )

    class Meta:
        verbose_name = _("academic level")
        verbose_name_plural = _("academic levels")
        ordering = ["name"]

    def __str__(self) -> str:
        return localized(self, "name")


class AcademicField(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_plain_name])
    name_fr = models.CharField(
        _("name (French)"),
        max_length=100,
        blank=True,
        validators=[validate_plain_name],
        help_text=_("Empty: the English name."),
    )

    class Meta:
        verbose_name = _("academic field")
        verbose_name_plural = _("academic fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return localized(self, "name")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return canonical_email(email or "")

    def get_by_natural_key(self, email: str | None) -> "User":
        # The column holds canonical forms under a unique index: at most one row. Should two ever
        # be found (rows written around the model), no one logs in rather than a 500.
        found = list(self.filter(email=canonical_email(email or ""))[:2])
        if len(found) != 1:
            raise self.model.DoesNotExist
        return found[0]

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True, is_active=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member. The e-mail is the login and is unique whatever its case."""

    # Always `canonical_email` (save() sees to it): the unique index compares canonical forms.
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, validators=[validate_plain_name])
    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_plain_name])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, validators=[validate_date_in_range])
    university = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("university"),
    )
    academic_level = models.ForeignKey(
        AcademicLevel, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("academic level")
    )
    academic_field = models.ForeignKey(
        AcademicField, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("academic field")
    )
    # Only admins and the store change these (see app.accounts.tickets); never the member.
    tickets = models.PositiveIntegerField(_("tickets"), default=0)
    membership_end = models.DateTimeField(
        _("membership end"), null=True, blank=True, validators=[validate_date_in_range]
    )
    is_active = models.BooleanField(_("active"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Every e-mail to the member is written in it (app.core.email); chosen at sign-up from the page's language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # Set when the member closed the account: personal data erased, history kept (app.members.closing).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # send_reminders e-mails the member before each session (REMINDER_HOURS) unless turned off.
    session_reminders = models.BooleanField(_("session reminders"), default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(tickets__gte=0), name="user_tickets_not_negative"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = canonical_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = canonical_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def has_membership(self) -> bool:
        return bool(self.membership_end and self.membership_end > timezone.now())


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class AuthTokenManager(models.Manager["AuthToken"]):
    def issue(self, user: "User") -> tuple["AuthToken", str]:
        """Create a token and return `(token, key)`. Only the key's digest is stored."""
        key = secrets.token_hex(20)
        token = self.create(
            user=user,
            digest=_digest(key),
            expires_at=timezone.now()
            + min(
                timedelta(hours=settings.AUTH_TOKEN_LIFETIME_HOURS), timedelta(days=settings.AUTH_TOKEN_MAX_AGE_DAYS)
            ),
        )
        return token, key

    def find(self, key: str) -> "AuthToken | None":
        return self.select_related("user").filter(digest=_digest(key)).first()


class AuthToken(models.Model):
    """An expiring API token. A leaked database does not leak usable keys: only digests are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_tokens", verbose_name=_("member")
    )
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    objects = AuthTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def dies_at(self) -> datetime:
        """However often the token is used, it never lives past this (`AUTH_TOKEN_MAX_AGE_DAYS`)."""
        return self.created + timedelta(days=settings.AUTH_TOKEN_MAX_AGE_DAYS)

    @property
    def is_expired(self) -> bool:
        return min(self.expires_at, self.dies_at) <= timezone.now()

    def renew_if_needed(self) -> None:
        """Slide the expiry (never past `dies_at`), writing only when little of the lifetime is left."""
        now = timezone.now()
        renewed = min(now + timedelta(hours=settings.AUTH_TOKEN_LIFETIME_HOURS), self.dies_at)
        if self.expires_at - now < timedelta(hours=settings.AUTH_TOKEN_RENEW_BELOW_HOURS) and renewed > self.expires_at:
            self.expires_at = renewed
            AuthToken.objects.filter(pk=self.pk).update(expires_at=self.expires_at)


class TicketMovement(models.Model):
    """One change of a member's ticket balance: who, when, why, how many, and the balance after."""

    class Reason(models.TextChoices):
        ADMIN = "admin", _("Set by an administrator")
        PURCHASE = "purchase", _("Bought in the store")
        REFUND = "refund", _("Taken back by a refund")
        RESERVATION = "reservation", _("Spent on a reservation")
        FREE_RESERVATION = "free_reservation", _("Reservation offered free by staff")
        CANCELLATION = "cancellation", _("Returned by a cancellation")
        SLOT_CHANGED = "slot_changed", _("Returned: the time slot changed or was removed")
        MOVE = "move", _("Difference settled by moving a reservation")
        WELCOME = "welcome", _("Welcome tickets given at activation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_movements", verbose_name=_("member")
    )
    delta = models.IntegerField(_("change"))
    balance_after = models.PositiveIntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The reservation or order concerned.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket movement")
        verbose_name_plural = _("ticket movements")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.delta:+d} for {self.user_id} ({self.reason})"
