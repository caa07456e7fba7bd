"""The sign-up and profile pages are Django forms that call the services' validators: the same
rules and words as the API, next to the fields they are about."""

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization, User
from tests.web.conftest import make_user

SIGNUP = {"email": "nora@example.com", "password": "writing-every-day-42", "first_name": "Nora", "last_name": "N"}


def university():
    organization = Organization.objects.create(name="Université de Montréal", is_university=True)
    Domain.objects.create(organization=organization, name="umontreal.ca")
    return organization, AcademicLevel.objects.create(name="PhD"), AcademicField.objects.create(name="History")


def test_the_profile_page_refuses_a_university_the_address_does_not_belong_to(logged_in, member):
    organization, level, field = university()
    form = {"first_name": "Mia", "last_name": "M", "university": organization.pk, "academic_level": level.pk}
    response = logged_in.post("/account/", {**form, "academic_field": field.pk, "action": "profile"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use your Université de Montréal e-mail address to join it (domains: umontreal.ca)." in html
    assert User.objects.get(pk=member.pk).university is None


def test_the_sign_up_page_asks_level_and_field_with_a_university(client, db):
    organization, _level, _field = university()
    response = client.post("/signup/", {**SIGNUP, "email": "nora@umontreal.ca", "university": organization.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_academic_level_error"' in html and 'id="id_academic_field_error"' in html
    assert "Required when a university is given." in html
    assert not User.objects.filter(email="nora@umontreal.ca").exists()


def test_the_sign_up_page_refuses_another_spelling_of_a_taken_address(client, db):
    make_user(email="nora@example.com")
    response = client.post("/signup/", {**SIGNUP, "email": "NORA@Example.com"})
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_the_sign_up_page_stores_the_canonical_address_and_the_pages_language(client, db):
    response = client.post("/signup/", {**SIGNUP, "email": "Nora@Example.COM"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.language) == ("nora@example.com", "fr")
