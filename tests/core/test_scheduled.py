"""The scheduled entry points Zappa's `events` call: each runs its command and never raises."""

import json
import logging
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from app.accounts.models import AuthToken
from app.core import scheduled
from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]


# The entry points close stale connections (close_old_connections) before and after the command:
# on PostgreSQL that ends a test's enclosing transaction, so these tests commit (transactional_db),
# as a scheduled run does.


def test_clear_expired_tokens_deletes_only_expired_ones(transactional_db):
    member = make_user()
    live, _ = AuthToken.objects.issue(member)
    expired, _ = AuthToken.objects.issue(member)
    AuthToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert scheduled.clear_expired_tokens({"detail-type": "Scheduled Event"}, None) == {
        "command": "clear_expired_tokens",
        "ok": True,
    }
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live.pk]


def test_reconcile_payments_runs_the_command(transactional_db, capsys):
    assert scheduled.reconcile_payments({}, None) == {"command": "reconcile_payments", "ok": True}
    assert "reconcile_payments: 0 completed, 0 failed" in capsys.readouterr().out


def test_a_failing_command_is_logged_and_reported_not_raised(db, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise TypeError("postgres://user:secret-password@db/x")  # a TypeError must not make Zappa run it twice

    monkeypatch.setattr(scheduled, "call_command", broken)
    with caplog.at_level(logging.ERROR):
        result = scheduled.reconcile_payments({}, None)

    assert result == {"command": "reconcile_payments", "ok": False, "error": "TypeError"}
    assert "Scheduled reconcile_payments failed: TypeError" in caplog.text
    assert "secret-password" not in caplog.text


def test_every_stage_schedules_both_entry_points():
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    events = settings["dev"]["events"]
    assert {"function": "app.core.scheduled.reconcile_payments", "expression": "rate(15 minutes)"} in events
    assert {"function": "app.core.scheduled.clear_expired_tokens", "expression": "rate(1 day)"} in events
    assert "events" not in settings["production"]  # production extends dev: the same schedule
    assert settings["production"]["extends"] == "dev"
