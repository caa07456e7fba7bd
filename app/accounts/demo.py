from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization


def load(admin, member, stdout):
    university, _ = Organization.objects.get_or_create(name="Université de Montréal")
    Domain.objects.get_or_create(organization=university, name="umontreal.ca")
    for name in ["Bachelor", "Master", "PhD"]:
        AcademicLevel.objects.get_or_create(name=name)
    for name in ["Humanities", "Sciences", "Engineering"]:
        AcademicField.objects.get_or_create(name=name)
