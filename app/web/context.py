from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """What every page's frame shows."""
    return {"organization": settings.ORGANIZATION}
