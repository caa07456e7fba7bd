"""Waiting lists of any kind (a session's, a retreat's): first come, first served."""

from django.db.models import Count, Model, OuterRef, Q, Subquery


def position_in_queue(model: type[Model], queue: str) -> Subquery:
    """An entry's place in its queue (1: first), annotated in SQL: the entries of the same `queue`
    (a foreign key's name) that joined before it, or at the same moment with a lower id, and itself."""
    ahead = (
        model._default_manager.filter(**{queue: OuterRef(queue)})
        .filter(Q(created__lt=OuterRef("created")) | Q(created=OuterRef("created"), id__lte=OuterRef("id")))
        .order_by()
        .values(queue)
        .annotate(count=Count("id"))
        .values("count")
    )
    return Subquery(ahead)
