"""The views' OpenAPI annotations, recorded at import and applied when a schema is first generated.

drf-spectacular's `extend_schema`, `extend_schema_view`, `extend_schema_field`, `OpenApiParameter`,
`OpenApiResponse` and `OpenApiTypes` bring its utils, types and drainage modules into every process
that imports a view or serializer annotated with them, for annotations that only schema generation
reads. The project's views and serializers import these names from here instead (same names, same
arguments): each annotation is recorded with its target and applied
with drf-spectacular's own decorators, in the order it was made, when a schema is first generated
(`apply_recorded()`, which the project's schema generator calls); one made after that
is applied at once. drf-spectacular's decorators only set attributes on the function, class or field they
are given and return it, and only schema generation reads those attributes, so the schema is the
same (tests/core/test_api_docs.py builds one both ways). docs/performance.md has what it saved.
"""

import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_recorded: list[tuple["_Annotation", Any]] = []
_lock = threading.RLock()  # re-entered if applying one imports a module that annotates
_applied = False


class _Later:
    """A drf-spectacular object named now and built when the annotations are applied."""

    def __init__(self, module: str, path: Sequence[str], args: tuple[Any, ...] = (), kwargs: Any = None) -> None:
        self.module, self.path, self.args, self.kwargs = module, tuple(path), args, kwargs

    def build(self) -> Any:
        value: Any = importlib.import_module(self.module)
        for name in self.path:
            value = getattr(value, name)
        if self.kwargs is None:
            return value
        return value(*_built(self.args), **_built(self.kwargs))


def _built(value: Any) -> Any:
    """`value` with every `_Later` and `_Annotation` in it (at any depth) built."""
    if isinstance(value, (_Later, _Annotation)):
        return value.build()
    if isinstance(value, Mapping):
        return {_built(key): _built(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_built(item) for item in value)
    return value


class _Annotation:
    """An `extend_schema(...)` or `extend_schema_view(...)` decorator, recorded until applied."""

    def __init__(self, decorator: str, kwargs: dict[str, Any], args: tuple[Any, ...] = ()) -> None:
        self.decorator, self.kwargs, self.args = decorator, kwargs, args

    def build(self) -> Callable[[Any], Any]:
        """drf-spectacular's own decorator, with the same arguments."""
        return _Later("drf_spectacular.utils", [self.decorator], self.args, self.kwargs).build()

    def __call__[T](self, target: T) -> T:
        with _lock:  # after the recorded ones, even while another thread applies them
            if not _applied:
                _recorded.append((self, target))
                return target
            return _applying(self, target)


def _applying[T](annotation: _Annotation, target: T) -> T:
    decorated = annotation.build()(target)
    if decorated is not target:  # never so in drf-spectacular 0.30: it sets attributes and returns its argument
        raise TypeError(f"{annotation.decorator} replaced {target!r}: it cannot be applied after the fact")
    return decorated


def apply_recorded() -> None:
    """Apply every recorded annotation, in the order they were made (once; later ones apply at once)."""
    global _applied
    with _lock:
        while _recorded:  # one recorded while these apply (an import they make) is applied in turn
            annotation, target = _recorded[0]
            _applying(annotation, target)  # one that fails stays first: every schema fails alike, loudly
            _recorded.pop(0)
        _applied = True


def extend_schema(**kwargs: Any) -> _Annotation:
    """drf-spectacular's `extend_schema`, applied when a schema is first generated."""
    return _Annotation("extend_schema", kwargs)


def extend_schema_view(**kwargs: Any) -> _Annotation:
    """drf-spectacular's `extend_schema_view`, applied when a schema is first generated."""
    return _Annotation("extend_schema_view", kwargs)


def extend_schema_field(*args: Any, **kwargs: Any) -> _Annotation:
    """drf-spectacular's `extend_schema_field`, applied when a schema is first generated."""
    return _Annotation("extend_schema_field", kwargs, args)


class _Named:
    """A drf-spectacular name (`OpenApiParameter`, `OpenApiTypes`...): calling it, or reading a member
    of it (`OpenApiParameter.HEADER`, `OpenApiTypes.BOOL`), names an object built when applied."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any, **kwargs: Any) -> _Later:
        return _Later(self.module, [self.name], args, kwargs)

    def __getattr__(self, member: str) -> _Later:
        if member.startswith("_"):
            raise AttributeError(member)
        return _Later(self.module, [self.name, member])


OpenApiParameter = _Named("drf_spectacular.utils", "OpenApiParameter")
OpenApiResponse = _Named("drf_spectacular.utils", "OpenApiResponse")
OpenApiTypes = _Named("drf_spectacular.types", "OpenApiTypes")
