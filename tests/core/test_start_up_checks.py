"""The start-up module hides DRF's PostgreSQL field mapping; a system check keeps that safe."""

from django.contrib.postgres.fields import ArrayField
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from app.core.checks import no_postgres_only_fields, postgres_only_fields


def test_the_project_uses_no_postgres_only_field():
    assert no_postgres_only_fields() == []
    call_command("check", "--fail-level", "ERROR")  # raises SystemCheckError on core.E001


def test_a_model_with_a_postgres_only_field_fails_the_check(monkeypatch):
    with isolate_apps("app.core") as isolated_apps:

        class Tagged(models.Model):
            tags = ArrayField(models.CharField(max_length=20))
            name = models.CharField(max_length=20)

            class Meta:
                app_label = "core"

            def __str__(self):
                return self.name

        assert postgres_only_fields([Tagged]) == ["core.Tagged.tags"]
        monkeypatch.setattr("app.core.checks.apps", isolated_apps)
        errors = no_postgres_only_fields()
    assert [error.id for error in errors] == ["core.E001"]
    assert "core.Tagged.tags" in errors[0].msg and "DRF" in errors[0].msg
