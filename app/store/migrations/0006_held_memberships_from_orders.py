"""Build the held memberships from what was recorded before: paid membership lines, then each
member's `membership_end` not covered by them (set by staff; its product is unknown)."""

from django.db import migrations


def build(apps, schema_editor):
    HeldMembership = apps.get_model("store", "HeldMembership")
    OrderLine = apps.get_model("store", "OrderLine")
    User = apps.get_model("accounts", "User")
    lines = OrderLine.objects.filter(
        order__status="paid", kind="membership", membership_start__isnull=False, membership_end__isnull=False
    ).select_related("order")
    HeldMembership.objects.bulk_create(
        HeldMembership(
            user_id=line.order.user_id,
            membership_id=line.membership_id,
            start=line.membership_start,
            end=line.membership_end,
            source="purchase",
            order_line_id=line.pk,
        )
        for line in lines.iterator()
        if line.membership_end > line.membership_start
    )
    for user in User.objects.filter(membership_end__isnull=False).iterator():
        covered = HeldMembership.objects.filter(user_id=user.pk, end__gte=user.membership_end).exists()
        if not covered:
            latest = HeldMembership.objects.filter(user_id=user.pk).order_by("-end").first()
            start = latest.end if latest else user.date_joined
            if user.membership_end > start:
                HeldMembership.objects.create(
                    user_id=user.pk, membership_id=None, start=start, end=user.membership_end, source="migrated"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0005_held_memberships"),
        ("accounts", "0002_welcome_tickets_and_closed_accounts"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
