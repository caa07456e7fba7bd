"""Every stored address in its canonical form (`app.security.emails.canonical_email`), so that the
unique index on `email` compares canonical forms.

Accounts whose addresses are one address spelled two ways (case, Unicode forms, look-alike
letters such as `ı` for `i`) cannot both keep it: the migration stops, changing nothing, and
lists them by id for staff to settle (merge by hand, or give one of them another address).
"""

import unicodedata

from django.db import migrations

from app.security.emails import canonical_email

# Letters that look like Latin ones and that `canonical_email` keeps (new addresses refuse them).
_LOOK_ALIKES = str.maketrans({"ı": "i", "ɩ": "i", "і": "i", "ѕ": "s", "а": "a", "е": "e", "о": "o", "р": "p"})


def look_alike_key(email):
    """What two look-alike spellings share: the canonical form, marks dropped, look-alikes mapped."""
    decomposed = unicodedata.normalize("NFKD", canonical_email(email).translate(_LOOK_ALIKES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class LookAlikeAccounts(Exception):
    pass


def canonicalise(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    groups = {}
    for pk, email in User.objects.values_list("pk", "email").order_by("pk"):
        groups.setdefault(look_alike_key(email), []).append(pk)
    clashes = [ids for ids in groups.values() if len(ids) > 1]
    if clashes:
        lines = "\n".join(f"  accounts {', '.join(map(str, ids))}" for ids in clashes)
        raise LookAlikeAccounts(
            f"{len(clashes)} address(es) are held by more than one account, spelled differently:\n{lines}\n"
            "Nothing was changed. Give each of these accounts but one another address (or merge them), "
            "then migrate again."
        )
    for user in User.objects.only("pk", "email").iterator():
        canonical = canonical_email(user.email)
        if canonical != user.email:
            User.objects.filter(pk=user.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_language_and_french_names")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
