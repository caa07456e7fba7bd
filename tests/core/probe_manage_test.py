"""Run by tests/core/test_test_mode.py through `manage.py test`, not collected by pytest."""

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import TestCase


class ManageTestUsesSqlite(TestCase):
    def test_database_is_sqlite_and_mail_is_local(self):
        self.assertEqual(connection.vendor, "sqlite")
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(settings.EMAIL_BACKEND, "django.core.mail.backends.locmem.EmailBackend")
        mail.send_mail("s", "b", "a@example.com", ["b@example.com"])
        self.assertEqual(len(mail.outbox), 1)
