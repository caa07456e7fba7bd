"""With DEBUG off, a page that goes wrong answers in the site's look (HTML) for every path outside
/api/; the API keeps its JSON. A 500 page needs neither the user nor the database."""

import pytest
from django.test import Client
from django.urls import path

from app import urls as project_urls


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("api/boom/", boom), path("boom/", boom), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def pages(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    return client


@pytest.mark.parametrize("where", ["/no-such-page/", "/sessions/nope/", "/account/orders/42/nothing"])
def test_a_mistyped_page_is_an_html_404_in_the_sites_look(pages, db, where):
    response = pages.get(where, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Introuvable</h1>" in html and 'href="/sessions/"' in html  # the site's header and menu


def test_an_unknown_api_path_stays_a_json_404(pages, db):
    response = pages.get("/api/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Not found."


def test_a_page_that_fails_is_an_html_500_and_the_api_a_json_500(pages, db):
    page = pages.get("/boom/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert "Une erreur s’est produite" in page.content.decode() and "a bug" not in page.content.decode()
    api = pages.get("/api/boom/")
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
