"""Accounts fixtures: a university with its domain, levels and fields, and reading links from e-mails."""

import re

import pytest
from django.core import mail

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization
from tests.conftest import PASSWORD


@pytest.fixture
def university(db):
    org = Organization.objects.create(name="Université de Montréal")
    Domain.objects.create(organization=org, name="UMontreal.ca")
    return org


@pytest.fixture
def level(db):
    return AcademicLevel.objects.create(name="PhD")


@pytest.fixture
def field(db):
    return AcademicField.objects.create(name="Humanities")


def sign_up_data(**overrides):
    data = {"email": "new@example.com", "password": PASSWORD, "first_name": "Nora", "last_name": "Newcomer"}
    data.update(overrides)
    return data


def token_from_last_email(param="token"):
    """The `token` query parameter of the last link e-mailed (locmem backend)."""
    assert mail.outbox, "no e-mail was sent"
    match = re.search(rf"[?&]{param}=([A-Za-z0-9_\-.:%]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)
