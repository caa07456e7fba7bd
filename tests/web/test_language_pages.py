"""The language switcher (Django's set_language, POST with CSRF) and the member's e-mail language."""

from tests.web.conftest import PASSWORD, csrf_token


def test_the_switcher_sets_the_cookie_and_the_pages_follow(csrf_client, db):
    assert 'lang="en"' in csrf_client.get("/").content.decode()
    token = csrf_token(csrf_client, "/")
    response = csrf_client.post(
        "/i18n/setlang/", {"language": "fr", "next": "/sessions/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/sessions/"
    assert response.cookies["django_language"].value == "fr"
    page = csrf_client.get("/sessions/").content.decode()
    assert '<html lang="fr">' in page and "Séances à venir" in page
    assert 'lang="en">English</button>' in page  # each language offered in its own name


def test_the_switcher_refuses_a_post_without_its_csrf_token(csrf_client, db):
    response = csrf_client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_accept_language_chooses_when_no_cookie_is_set(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.8").content.decode()
    assert '<html lang="fr">' in page and "Se connecter" in page


def test_the_profile_page_changes_the_language_of_my_emails(csrf_client, member):
    assert csrf_client.login(email=member.email, password=PASSWORD)
    page = csrf_client.get("/account/").content.decode()
    assert "Language of my e-mails" in page
    token = csrf_token(csrf_client, "/account/")
    form = {"action": "profile", "first_name": member.first_name, "last_name": member.last_name, "language": "fr"}
    response = csrf_client.post("/account/", {**form, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fr"
