"""The one-click link in every reminder: turn session reminders off without logging in.

The link carries a signed member id (app.bookings.reminders). Opening it (GET) changes nothing, as
mail scanners open links; the page's one button (a POST, no JavaScript) turns reminders off.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from app.accounts.models import User
from app.bookings import reminders


@require_http_methods(["GET", "HEAD", "POST"])
def reminders_off(request: HttpRequest, token: str) -> HttpResponse:
    user_id = reminders.user_from_opt_out_token(token)
    if user_id is None or not User.objects.filter(pk=user_id).exists():
        return render(request, "web/reminders_off.html", {"invalid": True}, status=404)
    if request.method == "POST":
        User.objects.filter(pk=user_id).update(session_reminders=False)
        return render(request, "web/reminders_off.html", {"done": True})
    return render(request, "web/reminders_off.html", {})
