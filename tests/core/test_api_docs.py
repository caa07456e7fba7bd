"""Annotations recorded by app.core.api_docs give the schema drf-spectacular's own decorators give."""

import ast
from pathlib import Path

import pytest
from django.urls import path
from drf_spectacular import utils as spectacular
from drf_spectacular.types import OpenApiTypes as SpectacularTypes
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from app.core import api_docs
from app.core.openapi import SchemaGenerator
from tests.core.subprocess_env import run_python


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField()


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


def notes_view(docs):
    """The same viewset, annotated with `docs`' decorators (drf-spectacular's or api_docs')."""

    @docs.extend_schema_view(
        # `list` is inherited: the decorator must annotate a copy, not ListModelMixin's own method
        list=docs.extend_schema(
            parameters=[docs.OpenApiParameter("pinned", docs.OpenApiTypes.BOOL, description="Pinned notes only.")]
        ),
    )
    class NoteViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
        serializer_class = NoteSerializer
        queryset = None

        def get_queryset(self):
            return []

        @docs.extend_schema(request=None, responses={200: CountSerializer, (204, "text/plain"): docs.OpenApiTypes.STR})
        @action(detail=False, methods=["post"])
        def count(self, request):
            return Response({"count": 0})

    return NoteViewSet


def schema_of(view):
    generator = SchemaGenerator(
        patterns=[path("notes/", view.as_view({"get": "list"})), path("notes/count/", view.as_view({"post": "count"}))]
    )
    return generator.get_schema(request=None, public=True)


class SpectacularNames:
    extend_schema = staticmethod(spectacular.extend_schema)
    extend_schema_view = staticmethod(spectacular.extend_schema_view)
    OpenApiParameter = spectacular.OpenApiParameter
    OpenApiTypes = SpectacularTypes


@pytest.fixture
def nothing_applied_yet(monkeypatch):
    """api_docs as in a process that has not generated a schema yet."""
    monkeypatch.setattr(api_docs, "_applied", False)
    monkeypatch.setattr(api_docs, "_recorded", [])


def test_recorded_annotations_wait_for_the_schema_then_give_drf_spectacular_s_schema(nothing_applied_yet):
    recorded = notes_view(api_docs)

    assert "schema" not in recorded.count.kwargs  # not applied yet (@action gave it its kwargs)
    assert "list" not in vars(recorded)
    assert len(api_docs._recorded) == 2  # the action, then the class

    ours = schema_of(recorded)
    theirs = schema_of(notes_view(SpectacularNames))

    assert ours == theirs
    listing = ours["paths"]["/notes/"]["get"]
    assert {"name": "pinned", "in": "query", "description": "Pinned notes only.", "schema": {"type": "boolean"}} in (
        listing["parameters"]
    )
    assert {"200", "204"} <= set(ours["paths"]["/notes/count/"]["post"]["responses"])  # with the error answers
    assert "kwargs" not in vars(mixins.ListModelMixin.list)  # the inherited method was left alone
    assert api_docs._recorded == []


def test_an_annotation_made_once_a_schema_was_generated_is_applied_at_once(nothing_applied_yet):
    api_docs.apply_recorded()

    view = notes_view(api_docs)

    assert "schema" in view.count.kwargs
    assert "list" in vars(view)  # extend_schema_view gave it its own copy of `list`
    assert api_docs._recorded == []


SCHEMA_SCRIPT = """
import sys
import django
django.setup()
from django.urls import reverse
if sys.argv[1] == "views-first":
    reverse("healthz")  # imports every URLconf, so every view: their annotations are recorded
from django.core.management import call_command
from app.core import api_docs
recorded = len(api_docs._recorded)
call_command("spectacular", file=sys.argv[2])
print(recorded)
"""


@pytest.mark.slow
def test_the_project_s_schema_is_the_same_whether_its_annotations_were_recorded_or_applied_at_once(tmp_path):
    """`manage.py spectacular` alone imports each view after the schema generator started (annotations
    applied at once); a served process has imported them before (recorded, then applied in order)."""
    schemas = {}
    for order in ("views-first", "schema-first"):
        schemas[order] = tmp_path / f"{order}.yaml"
        result = run_python(["-c", SCHEMA_SCRIPT, order, str(schemas[order])], DEBUG="True")
        assert result.returncode == 0, result.stderr
        recorded = int(result.stdout.strip().splitlines()[-1])
        assert (recorded > 30) if order == "views-first" else (recorded == 0)

    assert schemas["views-first"].read_text() == schemas["schema-first"].read_text()


def test_an_annotation_that_cannot_be_built_fails_every_schema_alike(nothing_applied_yet):
    """A misspelt type fails when the schema is generated (drf-spectacular's own names would fail at
    import): loudly, and again on the next try, never a schema silently missing the annotations."""

    def listing(request):
        return None

    annotated = api_docs.extend_schema(parameters=[api_docs.OpenApiParameter("day", api_docs.OpenApiTypes.DAET)])
    annotated(listing)
    later = notes_view(api_docs)

    for _attempt in range(2):
        with pytest.raises(AttributeError, match="DAET"):
            api_docs.apply_recorded()
    assert "schema" not in later.count.kwargs  # what was recorded after it waits behind it


ANNOTATION_MODULES = {"drf_spectacular.utils", "drf_spectacular.types"}


def annotation_imports(root):
    """(file, line) of each import of drf-spectacular's annotation modules under `root`."""
    found = []
    for source in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if ANNOTATION_MODULES & set(names):
                found.append((str(source.relative_to(root)), node.lineno))
    return found


def test_no_module_of_the_app_imports_drf_spectacular_s_annotations_directly(tmp_path):
    """They would load drf-spectacular with the view: views and serializers import the same names
    from app.core.api_docs (docs/architecture.md)."""
    assert annotation_imports(Path(__file__).resolve().parents[2] / "app") == []

    (tmp_path / "views.py").write_text(
        "from drf_spectacular.utils import extend_schema\nimport drf_spectacular.types\n"
    )
    assert annotation_imports(tmp_path) == [("views.py", 1), ("views.py", 2)]  # the rule can fail
