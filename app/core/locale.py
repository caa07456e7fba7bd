"""Django's LocaleMiddleware, without loading the catalogs of a request that needs none.

Django's middleware activates the request's language explicitly, which builds that language's
translation object at once: every installed app's catalog read from disk, about 30 ms of a cold
start. For the default language (English, no cookie, no Accept-Language asking for French) this
one leaves the thread on the default instead: `get_language()` answers the same, and the
catalogs load on the first string actually translated, which an API list that succeeds never
needs. Any other language is activated as Django does. (No `i18n_patterns`: no language prefix
in the URLs to handle.)
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request):
        language = translation.get_language_from_request(request)
        if language == translation.get_supported_language_variant(settings.LANGUAGE_CODE):
            translation.deactivate()  # the default, loaded only when a string needs it
        else:
            translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
