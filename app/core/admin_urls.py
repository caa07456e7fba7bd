"""The admin's URLconf, imported when `admin/` is first resolved or reversed: the admin is then registered."""

from django.contrib import admin

from app.core.admin_site import discover

discover()

app_name = "admin"
urlpatterns = admin.site.get_urls()
