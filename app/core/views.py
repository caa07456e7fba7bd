from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for API Gateway, deploy.sh and monitoring."""
    # `commit`: what deploy.sh shipped (APP_COMMIT on the function); empty when not deployed by it.
    body = {"status": "ok", "database": "ok", "version": settings.APP_VERSION, "commit": settings.APP_COMMIT}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The reason stays in the logs: the URL may name the host and user.
        body.update(status="error", database="unreachable")
        return JsonResponse(body, status=503)
    return JsonResponse(body)
