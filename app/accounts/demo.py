from django.core.management.base import OutputWrapper

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, User


def load(admin: User, member: User, stdout: OutputWrapper) -> None:
    university, _ = Organization.objects.get_or_create(name="Université de Montréal")
    Domain.objects.get_or_create(organization=university, name="umontreal.ca")
    # English name, French name (shown to French readers).
    for name, name_fr in [("Bachelor", "Baccalauréat"), ("Master", "Maîtrise"), ("PhD", "Doctorat")]:
        AcademicLevel.objects.get_or_create(name=name, defaults={"name_fr": name_fr})
    for name, name_fr in [("Humanities", "Sciences humaines"), ("Sciences", "Sciences"), ("Engineering", "Génie")]:
        AcademicField.objects.get_or_create(name=name, defaults={"name_fr": name_fr})
