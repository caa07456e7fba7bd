from django.conf import settings


def site(request):
    """What every page's frame shows."""
    return {"organization": settings.ORGANIZATION}
