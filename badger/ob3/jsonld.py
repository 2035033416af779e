"""JSON-LD expansion with undefined-term detection, and RDFC-1.0 canonicalisation.

Why: pyld silently drops properties and types that no context defines (PITFALLS 1), so they are
not covered by a Data Integrity signature while JavaScript verifiers in "safe mode" reject the
document. We expand once with a pyld processor that records every dropped term, relative
``@type`` and relative ``@id`` together with its JSON path, refuse the document if any was found,
and canonicalise the already-expanded form (so the expensive context processing runs once).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld as _pyld

from .fastcanon import Fallback, canonicalize_fast
from .loader import OfflineLoader, default_loader

__all__ = [
    "MAX_INLINE_SCOPED_TERMS",
    "DocumentExpansion",
    "JsonLdProcessingError",
    "UndefinedTerm",
    "UndefinedTermError",
    "canonicalize",
    "canonicalize_expanded",
    "canonicalize_pyld",
    "canonicalize_unsecured",
    "expand_checked",
    "expand_document",
    "find_undefined_terms",
]


class JsonLdProcessingError(ValueError):
    """pyld could not process the document (bad syntax, unknown context...)."""


@dataclass(frozen=True, slots=True)
class UndefinedTerm:
    """One term that would not survive JSON-LD expansion."""

    path: str
    term: str
    kind: str  # 'property', 'type' or 'id'

    def __str__(self) -> str:
        return f"{self.kind} {self.term!r} at {self.path}"


class UndefinedTermError(ValueError):
    """The document uses terms or types that its contexts do not define."""

    def __init__(self, terms: Iterable[UndefinedTerm]) -> None:
        self.terms: tuple[UndefinedTerm, ...] = tuple(terms)
        listed = "; ".join(str(t) for t in self.terms)
        super().__init__(f"undefined JSON-LD terms (would be dropped from the signature): {listed}")


def _is_absolute_iri(value: str) -> bool:
    return bool(_pyld._is_absolute_iri(value))


def _child_path(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


class _Processor(_pyld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor, reusing type-scoped contexts already processed by ``loader``.

    pyld caches a processed context by the id (``_uuid``) of the active context it was applied
    to, but a non-propagating context (every type-scoped context: ``VerifiableCredential``,
    ``Achievement``, ``DataIntegrityProof``...) is applied to a fresh, never-cached clone, so
    pyld processes it again on every typed node of every document (PITFALLS 5). Processed
    contexts are immutable (frozen) and determined by the active context, the local context and
    the flags, so the loader keeps them (:meth:`OfflineLoader.scoped_context_cache`).
    """

    def __init__(self, loader: OfflineLoader, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loader = loader

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        extra = {} if cycles is None else {"cycles": cycles}
        active_id = active_ctx.get("_uuid") if isinstance(active_ctx, Mapping) else None
        if propagate or cycles is not None or not isinstance(active_id, str):
            # propagating contexts are cached by pyld itself
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                **extra,
            )
        key = (active_id, id(local_ctx), override_protected, validate_scoped)
        cache = self._loader.scoped_context_cache()
        hit = cache.get(key)
        # the entry keeps ``local_ctx`` alive (so its id is not reused) and a snapshot of it (a
        # context edited in place since is processed again)
        if hit is not None and hit[0] is local_ctx and hit[1] == local_ctx:
            return hit[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped
        )
        # processed contexts carry a fresh ``_uuid`` and are frozen; an unprocessed clone
        # (empty local context) has no ``_uuid`` and is not kept
        if isinstance(result, Mapping) and "_uuid" in result:
            cache.put(key, (local_ctx, copy.deepcopy(local_ctx), result))
        return result

    def canonicalize_expanded(self, expanded: list[Any], options: dict[str, Any]) -> Any:
        """URDNA2015 of an expanded document without expanding it again (pyld's ``to_rdf``
        minus its first step). ``expanded`` may be modified."""
        options = {
            **options,
            "produceGeneralizedRdf": False,
            "processingMode": "json-ld-1.1",
            "extractAllScripts": True,
        }
        issuer = _pyld.IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        dataset: dict[str, Any] = {}
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default" or _pyld._is_absolute_iri(graph_name):
                dataset[graph_name] = self._graph_to_rdf(graph, issuer, options)
        return _pyld.URDNA2015().main(dataset, options)


class _CheckingProcessor(_Processor):
    """A pyld processor that records what expansion drops, with JSON paths."""

    def __init__(self, loader: OfflineLoader) -> None:
        super().__init__(loader, on_property_dropped=self._dropped)
        self._paths: dict[int, str] = {}
        self._stack: list[str] = []
        self._in_proof = 0  # > 0 while expanding the value of the document's own ``proof``
        self.found: list[UndefinedTerm] = []
        self.outside_proof: set[UndefinedTerm] = set()  # found at least once outside it
        self.root_keys: dict[str, Any] = {}  # the document's keys and what they expand to
        self._root = True

    def _found(self, term: UndefinedTerm, in_proof: bool) -> None:
        self.found.append(term)
        if not in_proof:
            self.outside_proof.add(term)

    def _dropped(self, expanded_property: str | None) -> None:
        path = self._stack[-1] if self._stack else "$"
        self._found(UndefinedTerm(path, str(expanded_property), "property"), self._in_proof > 0)

    def _register_children(self, path: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                self._register_value(_child_path(path, str(key)), child)

    def _register_value(self, path: str, value: Any) -> None:
        if isinstance(value, Mapping):
            self._paths[id(value)] = path
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._register_value(f"{path}[{i}]", item)

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = self._paths.get(id(element), "$")
        if not self._stack and self._root and isinstance(element, Mapping):
            self._root = False
            self.root_keys = {
                str(k): self._expand_iri(active_ctx, k, vocab=True)
                for k in element
                if k != "@context"
            }
        self._register_children(path, element)
        # a value of the document's top-level ``proof`` (or something inside one)
        in_proof = self._in_proof > 0 or (
            self._stack == ["$"] and (path == "$.proof" or path.startswith("$.proof["))
        )
        self._in_proof += in_proof
        self._stack.append(path)
        try:
            result = super()._expand_object(
                active_ctx,
                active_property,
                expanded_active_property,
                element,
                expanded_parent,
                options,
                *args,
                **kwargs,
            )
        finally:
            self._stack.pop()
            self._in_proof -= in_proof
        if isinstance(expanded_parent, dict):
            types = expanded_parent.get("@type")
            for t in types if isinstance(types, list) else [types]:
                if isinstance(t, str) and not (_is_absolute_iri(t) or t == "@json"):
                    self._found(UndefinedTerm(_child_path(path, "type"), t, "type"), in_proof)
            ident = expanded_parent.get("@id")
            if (
                isinstance(ident, str)
                and not _is_absolute_iri(ident)
                and not ident.startswith("_:")
            ):
                self._found(UndefinedTerm(_child_path(path, "id"), ident, "id"), in_proof)
        return result


#: Terms an untrusted document may define in scoped contexts (a term definition's own
#: ``@context``) of its inline contexts. pyld processes such a context again at every node it
#: applies to: thousands of scoped terms times thousands of nodes cost minutes of CPU for a
#: body of a hundred kilobytes. The bundled contexts' scoped contexts are not counted.
MAX_INLINE_SCOPED_TERMS = 32


def _scoped_terms(context: Any, scoped: bool) -> int:
    """Term definitions of an inline context that sit in scoped contexts (nested included)."""
    if isinstance(context, list):
        return sum(_scoped_terms(c, scoped) for c in context)
    if not isinstance(context, Mapping):
        return 0
    total = len(context) if scoped else 0
    for definition in context.values():
        if isinstance(definition, Mapping) and "@context" in definition:
            total += _scoped_terms(definition["@context"], True)
    return total


def _inline_scoped_terms(value: Any) -> int:
    """:func:`_scoped_terms` of every inline ``@context`` anywhere in ``value``."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if key == "@context":
                    total += _scoped_terms(child, False)
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return total


def _run_expansion(
    document: Mapping[str, Any], loader: OfflineLoader
) -> tuple[list[Any], list[UndefinedTerm], _CheckingProcessor]:
    if _inline_scoped_terms(document) > MAX_INLINE_SCOPED_TERMS:
        raise JsonLdProcessingError(
            f"the inline contexts define more than {MAX_INLINE_SCOPED_TERMS} scoped terms "
            "(each is processed again at every node it applies to)"
        )
    processor = _CheckingProcessor(loader)
    try:
        expanded = processor.expand(dict(document), loader.options())
    except _pyld.JsonLdError as exc:
        raise JsonLdProcessingError(_describe(exc)) from exc
    # De-duplicate while keeping order (pyld can visit a node twice for scoped contexts).
    seen: dict[UndefinedTerm, None] = dict.fromkeys(processor.found)
    return list(expanded), list(seen), processor


def _expand(
    document: Mapping[str, Any], loader: OfflineLoader
) -> tuple[list[Any], list[UndefinedTerm]]:
    expanded, found, _ = _run_expansion(document, loader)
    return expanded, found


_SEC_PROOF = "https://w3id.org/security#proof"
_ROOT_KEYWORDS = frozenset({"@id", "@type"})


@dataclass(frozen=True, slots=True, eq=False)
class DocumentExpansion:
    """A secured document expanded once, for the undefined-term check and its proof.

    ``unsecured`` is the expansion of the document without its top-level ``proof`` (what Data
    Integrity canonicalises), taken out of the full expansion, with ``unsecured_found`` its
    undefined terms; ``None`` when that cannot be done with certainty (another key or ``@nest``
    expanding to the proof property, ``@graph``/``@included``/``@reverse`` at the top...), and
    the caller expands the unsecured document itself. Only for ``source`` (checked by identity).
    """

    source: Mapping[str, Any]
    expanded: list[Any]
    found: tuple[UndefinedTerm, ...]
    unsecured: list[Any] | None
    unsecured_found: tuple[UndefinedTerm, ...]


def _without_proof(expanded: list[Any], root_keys: Mapping[str, Any]) -> list[Any] | None:
    if root_keys.get("proof") != _SEC_PROOF:
        return None
    for key, iri in root_keys.items():
        if key == "proof":
            continue
        if iri == _SEC_PROOF:
            return None
        if isinstance(iri, str) and iri.startswith("@") and iri not in _ROOT_KEYWORDS:
            return None
    if len(expanded) != 1 or not isinstance(expanded[0], dict) or _SEC_PROOF not in expanded[0]:
        return None
    node = {k: v for k, v in expanded[0].items() if k != _SEC_PROOF}
    if all(k == "@id" for k in node):  # pyld drops a top-level node with nothing but an @id
        return None
    return [node]


def expand_document(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None
) -> DocumentExpansion:
    """Expand ``document`` once: its undefined terms, and what its proof needs (see
    :class:`DocumentExpansion`)."""
    expanded, found, processor = _run_expansion(document, loader or default_loader())
    unsecured = _without_proof(expanded, processor.root_keys)
    return DocumentExpansion(
        source=document,
        expanded=expanded,
        found=tuple(found),
        unsecured=unsecured,
        unsecured_found=tuple(t for t in found if t in processor.outside_proof),
    )


def canonicalize_unsecured(
    document: Mapping[str, Any],
    expansion: DocumentExpansion | None,
    *,
    loader: OfflineLoader | None = None,
) -> str:
    """:func:`canonicalize` of ``document`` without its top-level ``proof``, reusing
    ``expansion`` (of ``document`` itself) when it holds that part."""
    ldr = loader or default_loader()
    if expansion is None or expansion.source is not document or expansion.unsecured is None:
        return canonicalize({k: v for k, v in document.items() if k != "proof"}, loader=ldr)
    if expansion.unsecured_found:
        raise UndefinedTermError(expansion.unsecured_found)
    try:
        return canonicalize_fast({k: v for k, v in document.items() if k != "proof"}, ldr)
    except Fallback:
        pass
    # a copy of the top level only: canonicalisation does not modify what pyld expanded
    return _canonicalize_owned([dict(expansion.unsecured[0])], ldr)


def _describe(exc: BaseException) -> str:
    parts: list[str] = []
    cur: BaseException | None = exc
    while cur is not None:
        parts.append(str(cur).splitlines()[0] if str(cur) else type(cur).__name__)
        cur = cur.__cause__
    return "JSON-LD processing failed: " + " <- ".join(parts)


def find_undefined_terms(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None
) -> list[UndefinedTerm]:
    """List the terms, types and ids of ``document`` that expansion would drop."""
    return _expand(document, loader or default_loader())[1]


def expand_checked(
    document: Mapping[str, Any], *, loader: OfflineLoader | None = None
) -> list[Any]:
    """Expand ``document``; raise :class:`UndefinedTermError` if anything would be dropped."""
    expanded, found = _expand(document, loader or default_loader())
    if found:
        raise UndefinedTermError(found)
    return expanded


def canonicalize_expanded(expanded: list[Any], *, loader: OfflineLoader | None = None) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of an already expanded document."""
    opts = (loader or default_loader()).options(algorithm="URDNA2015", format="application/n-quads")
    try:
        result = _pyld.normalize(expanded, opts)
    except _pyld.JsonLdError as exc:
        raise JsonLdProcessingError(_describe(exc)) from exc
    if not isinstance(result, str):
        raise JsonLdProcessingError("canonicalisation did not produce N-Quads")
    return result


def _canonicalize_owned(expanded: list[Any], loader: OfflineLoader) -> str:
    """Like :func:`canonicalize_expanded` for an expanded form just produced by pyld (not
    expanded a second time; it may be modified)."""
    opts = loader.options(algorithm="URDNA2015", format="application/n-quads")
    try:
        result = _Processor(loader).canonicalize_expanded(expanded, opts)
    except _pyld.JsonLdError as exc:
        raise JsonLdProcessingError(_describe(exc)) from exc
    if not isinstance(result, str):
        raise JsonLdProcessingError("canonicalisation did not produce N-Quads")
    return result


def canonicalize(
    document: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    check_terms: bool = True,
) -> str:
    """Canonical N-Quads of ``document`` (RDFC-1.0, ``base=None``).

    With ``check_terms`` (the default, and what sign/verify use) undefined terms raise
    :class:`UndefinedTermError` instead of being silently left out of the signed data.
    """
    ldr = loader or default_loader()
    try:
        # the fast path takes no inline context (no scoped-term bound needed) and falls back
        # on any undefined term: pyld then reports it
        return canonicalize_fast(document, ldr)
    except Fallback:
        pass
    return canonicalize_pyld(document, loader=ldr, check_terms=check_terms)


def canonicalize_pyld(
    document: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    check_terms: bool = True,
) -> str:
    """:func:`canonicalize` by pyld alone (the fallback of the fast path, and its oracle)."""
    ldr = loader or default_loader()
    expanded, found = _expand(document, ldr)
    if found and check_terms:
        raise UndefinedTermError(found)
    return _canonicalize_owned(expanded, ldr)
