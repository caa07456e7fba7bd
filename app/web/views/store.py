"""Store pages: written last (see the store adapter)."""

from django.http import HttpResponse


def store(request):
    return HttpResponse("")


checkout = orders = delete_card = store
