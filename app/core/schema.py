"""Keep drf-spectacular out of the cold start.

DRF builds a view's schema inspector whenever the view class's attributes are listed, which
the router does while loading the URLs of every request's first call. Until the schema
or docs page has imported drf-spectacular, a cheap placeholder stands in; once it is
loaded, views get drf-spectacular's real AutoSchema.
"""

import sys

from rest_framework.schemas.inspectors import ViewInspector


class LazyAutoSchema(ViewInspector):
    def __new__(cls, *args, **kwargs):
        openapi = sys.modules.get("drf_spectacular.openapi")
        if openapi is not None:
            return openapi.AutoSchema(*args, **kwargs)
        return super().__new__(cls)
