"""Staff tools in the admin: each model's history page, and spreadsheet exports of its list.

The domain apps' ModelAdmins stay as they are: once they are registered (the admin imports each
app's admin module in INSTALLED_APPS order, and this app comes after them), each one concerned is
registered again as a subclass that adds the history page (simple_history's SimpleHistoryAdmin)
and/or the export links. Their own rules (read-only orders, the ledger for tickets, services for
slots) still apply, because the subclass only adds views; reverting from the history is off
(SIMPLE_HISTORY_REVERT_DISABLED) since it would bypass them.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from app.accounts.models import TicketMovement, User
from app.bookings.models import Reservation, TimeSlot
from app.retreats.models import Retreat, RetreatJoin
from app.staff import exports, retreat_exports
from app.staff.exports import Export
from app.staff.models import TRACKED
from app.store.models import Order

ExportFactory = Callable[[], Export]


class ExportsAdminMixin(admin.ModelAdmin):
    """Adds "CSV" and "XLSX" links to the list; they export the rows the list's filters select."""

    exports: Sequence[ExportFactory] = ()
    change_list_template = "admin/staff/change_list_with_exports.html"

    def _export_url_name(self, export: Export, fmt: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_export_{export.slug}_{fmt}"

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = []
        for make_export in self.exports:
            export = make_export()
            for fmt in exports.RESPONSES:
                view = self.admin_site.admin_view(self._export_view(make_export, fmt))
                urls.append(path(f"export/{export.slug}.{fmt}", view, name=self._export_url_name(export, fmt)))
        return urls + super().get_urls()

    def _export_view(self, make_export: ExportFactory, fmt: str) -> Callable[[HttpRequest], HttpResponseBase]:
        def export_view(request: HttpRequest) -> HttpResponseBase:
            if not self.has_view_permission(request):
                raise PermissionDenied
            try:
                changelist = self.get_changelist_instance(request)
            except IncorrectLookupParameters:
                return HttpResponseBadRequest(
                    _("These list filters are not valid: %(query)s") % {"query": request.GET.urlencode()}
                )
            export = make_export()
            return exports.RESPONSES[fmt](export, export.queryset(changelist.queryset))

        return export_view

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        query = request.GET.urlencode()
        links: list[dict[str, Any]] = []
        for make_export in self.exports:
            export = make_export()
            urls = {
                fmt: reverse(f"{self.admin_site.name}:{self._export_url_name(export, fmt)}")
                + (f"?{query}" if query else "")
                for fmt in exports.RESPONSES
            }
            links.append({"title": export.title, "urls": urls})
        return super().changelist_view(request, {**(extra_context or {}), "staff_exports": links})


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's history page, reading what each row's title needs in the same query."""

    history_select_related = ()
    history_ledger = False  # users: their ticket movements, listed under the changes

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.history_ledger:
            movements = TicketMovement.objects.filter(user_id=object_id).select_related("actor")[:LEDGER_ROWS]
            extra_context = {**(extra_context or {}), "ticket_movements": movements}
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: str
    ) -> QuerySet[Any]:
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset.select_related(*self.history_select_related)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        # Each row's title is the record as it was; give it the related rows already read with the
        # history (a slot's title names its workplace), instead of one query per row.
        for record in historical_records:
            as_it_was = record.history_object
            for field in as_it_was._meta.concrete_fields:
                if field.is_relation and field.is_cached(record):
                    setattr(as_it_was, field.name, getattr(record, field.name))
            record.history_object = as_it_was  # shadows simple_history's (non-data) descriptor
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)


LEDGER_ROWS = 100
HISTORY_SELECT_RELATED: dict[type[Model], list[str]] = {TimeSlot: ["period__workplace"]}
# The ledger's list names two users per row: read them with the rows (one query, however many).
LIST_SELECT_RELATED: dict[type[Model], list[str]] = {TicketMovement: ["user", "actor"]}

EXPORTS: dict[type[Model], list[ExportFactory]] = {
    User: [exports.users_export],
    Reservation: [exports.reservations_export],
    Order: [exports.orders_export, exports.order_lines_export],
    TicketMovement: [exports.ticket_movements_export],
    Retreat: [retreat_exports.participants_export, retreat_exports.attendance_export],
    RetreatJoin: [retreat_exports.joins_attendance_export],
}


def extend(model: type[Model], *mixins: type, **attributes: Any) -> None:
    """Register `model` again with its current ModelAdmin class extended by `mixins`."""
    current = type(admin.site._registry[model])
    extended = type(current.__name__, (*mixins, current), {"__module__": current.__module__, **attributes})
    admin.site.unregister(model)
    admin.site.register(model, extended)


for _model in TRACKED.keys() | EXPORTS.keys():
    _mixins: list[type] = []
    _attributes: dict[str, Any] = {}
    if _model in LIST_SELECT_RELATED:
        _attributes["list_select_related"] = LIST_SELECT_RELATED[_model]
    if _model in EXPORTS:
        _mixins.append(ExportsAdminMixin)
        _attributes["exports"] = EXPORTS[_model]
    if _model in TRACKED:
        _mixins.append(HistoryAdmin)
        _attributes["history_select_related"] = HISTORY_SELECT_RELATED.get(_model, [])
        _attributes["object_history_template"] = "admin/staff/object_history.html"
        _attributes["history_ledger"] = _model is User
    extend(_model, *_mixins, **_attributes)
