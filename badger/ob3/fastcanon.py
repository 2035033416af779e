"""Fast JSON-LD to RDFC-1.0 canonical N-Quads for the documents badger signs and verifies.

Why: pyld's expansion, node map and URDNA2015 in pure Python cost about a millisecond per
credential (issue #19). The bundled contexts are fixed, so the active contexts are processed once
(by pyld itself) and kept, keyed by the exact ``@context`` value and by the scoped context
applied; a document is then walked once, straight to quads, and canonicalised here when every
blank node has a distinct first-degree hash (RDFC-1.0 without the N-degree step).

Anything outside that common case raises :class:`Fallback` and the caller runs pyld: an
undefined term (pyld reports it with its path), a relative IRI, an inline or unknown context
shape, ``@graph``/``@included``/``@reverse``/``@nest``/``@index``, index/id/type maps, ``@json``,
``@direction``, typed numbers, blank nodes sharing a first-degree hash... The answer is
byte-identical to pyld's (``bench/canon_oracle.py``, ``tests/ob3/test_fastcanon.py``) or absent.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from pyld import jsonld as _pyld
from pyld.nquads import escape as _escape

from .loader import OfflineLoader

__all__ = ["Fallback", "canonicalize_fast"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = f"<{_RDF}type>"
_RDF_FIRST = f"<{_RDF}first>"
_RDF_REST = f"<{_RDF}rest>"
_RDF_NIL = f"<{_RDF}nil>"
_BOOL = f"^^<{_XSD}boolean>"
_INT = f"^^<{_XSD}integer>"
_DOUBLE = f"^^<{_XSD}double>"
_GRAPH_CONTAINERS = ({"@graph"}, {"@graph", "@set"})
_VALUE_KEYS = frozenset({"@value", "@language", "@type"})

Quad = tuple[str, str, str, str]


class Fallback(Exception):
    """The fast path does not cover this document; use pyld."""


_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # pyld's _is_absolute_iri

#: entries kept by a loader's caches before they are emptied (keys, types and ids come from
#: documents: without a bound a stream of distinct ones would grow them for ever)
CACHE_LIMIT = 50_000


def _absolute(value: str) -> bool:
    return _ABSOLUTE_IRI.match(value) is not None


class _Contexts:
    """Processed active contexts (pyld's, frozen) and IRI expansions, kept for one loader."""

    def __init__(self, loader: OfflineLoader) -> None:
        self._proc = _pyld.JsonLdProcessor()
        self._options = loader.options(
            isFrame=False,
            keepFreeFloatingNodes=False,
            extractAllScripts=False,
            processingMode="json-ld-1.1",
        )
        self._initial = self._proc._get_initial_context(self._options)
        # values hold what their key's ids refer to, so those ids are never reused
        self._processed: dict[tuple[int, str, Any], tuple[Any, Any, Any]] = {}
        self._iris: dict[tuple[int, str, bool], tuple[Any, str]] = {}
        self._lock = threading.Lock()
        self.plans: dict[tuple[int, str], tuple[Any, ...]] = {}
        self.types: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any, list[str]]] = {}
        self.aliases: dict[int, tuple[Any, frozenset[str]]] = {}

    @property
    def initial(self) -> Any:
        return self._initial

    def trim(self) -> None:
        """Empty the caches when they hold more than :data:`CACHE_LIMIT` entries."""
        size = len(self._processed) + len(self._iris) + len(self.plans) + len(self.types)
        if size > CACHE_LIMIT:
            with self._lock:
                self._processed.clear()
                self._iris.clear()
                self.plans.clear()
                self.types.clear()
                self.aliases.clear()

    def type_keys(self, active: Any) -> frozenset[str]:
        """The keys that expand to ``@type`` in ``active`` (``@type`` and its aliases)."""
        hit = self.aliases.get(id(active))
        if hit is None:
            found = frozenset(
                term
                for term, definition in active["mappings"].items()
                if definition and definition.get("@id") == "@type" and not definition.get("reverse")
            ) | {"@type"}
            hit = self.aliases[id(active)] = (active, found)
        return hit[1]

    def apply(self, active: Any, kind: str, local: Any, key: Any) -> Any:
        """``local`` processed onto ``active``: kind 'l' (a document's ``@context``), 'p'
        (property-scoped, overriding protected terms) or 't' (type-scoped, not propagated)."""
        ckey = (id(active), kind, key)
        hit = self._processed.get(ckey)
        if hit is not None:
            return hit[2]
        try:
            result = self._proc._process_context(
                active,
                local,
                self._options,
                override_protected=kind == "p",
                propagate=kind != "t",
            )
        except _pyld.JsonLdError as exc:
            raise Fallback(str(exc)) from exc
        with self._lock:
            self._processed[ckey] = (active, local, result)
        return result

    def iri(self, active: Any, value: str, vocab: bool) -> str:
        key = (id(active), value, vocab)
        hit = self._iris.get(key)
        if hit is not None:
            return hit[1]
        try:
            if vocab:
                result = self._proc._expand_iri(active, value, vocab=True, base=None)
            else:
                result = self._proc._expand_iri(active, value, base=None)
        except _pyld.JsonLdError as exc:
            raise Fallback(str(exc)) from exc
        if not isinstance(result, str):
            raise Fallback(f"{value!r} expands to nothing")
        with self._lock:
            self._iris[key] = (active, result)
        return result


def _context_key(local: Any) -> str:
    if isinstance(local, str):
        return local
    if isinstance(local, list) and local and all(isinstance(c, str) for c in local):
        return json.dumps(local)
    raise Fallback("only contexts given by URL (a string or a list of strings) are compiled")


_ID, _TYPE, _PROP = 0, 1, 2
_PLAIN, _LIST, _GRAPH, _LANGUAGE = 0, 1, 2, 3


def _plan(contexts: _Contexts, active: Any, key: str) -> tuple[Any, ...]:
    """What a key of a node object means in ``active``: ``(_ID,)``, ``(_TYPE,)`` or
    ``(_PROP, predicate, term context, term definition, container, coercion, language)``."""
    iri = contexts.iri(active, key, True)
    if iri == "@id":
        return (_ID,)
    if iri == "@type":
        return (_TYPE,)
    if iri.startswith("@") or iri.startswith("_:") or not _absolute(iri):
        raise Fallback(f"key {key!r} expands to {iri!r}")
    definition = active["mappings"].get(key)
    term_ctx = active
    container: set[str] = set()
    if definition is not None:
        if definition.get("reverse") or "@nest" in definition or "@index" in definition:
            raise Fallback("reverse, nested or indexed term")
        container = set(definition.get("@container") or ())
        scoped = definition.get("@context")
        if scoped is not None:
            # pyld expands the value with the term's context applied (and applies it again
            # to a node object after reverting a type-scoped context)
            term_ctx = contexts.apply(active, "p", scoped, id(scoped))
            definition = term_ctx["mappings"].get(key)
            if definition is None or definition.get("reverse"):
                raise Fallback("scoped context redefines its own term")
    if "@language" in container:
        kind = _LANGUAGE
        container.discard("@language")
        if container - {"@set"}:
            raise Fallback(f"container {sorted(container)}")
    elif "@list" in container:
        kind = _LIST
        if container != {"@list"}:
            raise Fallback(f"container {sorted(container)}")
    elif container in _GRAPH_CONTAINERS:
        kind = _GRAPH
    elif container - {"@set"}:
        raise Fallback(f"container {sorted(container)}")
    else:
        kind = _PLAIN
    coerce = definition.get("@type") if definition is not None else None
    if coerce is not None and coerce.startswith("@") and coerce not in ("@id", "@vocab"):
        coerce = None if coerce == "@none" else "@unsupported"
    if definition is not None and "@direction" in definition:
        direction = definition["@direction"]
    else:
        direction = term_ctx.get("@direction")
    if definition is not None and "@language" in definition:
        lang = definition["@language"]
    else:
        lang = term_ctx.get("@language")
    if direction is not None:
        lang = _UNSUPPORTED
    scoped_next = definition.get("@context") if definition is not None else None
    return (_PROP, f"<{iri}>", term_ctx, scoped_next, kind, coerce, lang)


_UNSUPPORTED = object()


class _Walker:
    """One document to quads, following pyld's expansion and toRDF for the covered subset."""

    def __init__(self, contexts: _Contexts) -> None:
        self.ctx = contexts
        self.plans = contexts.plans
        self.quads: list[Quad] = []
        self._blank = 0
        self._labels: dict[str, str] = {}

    def blank(self) -> str:
        self._blank += 1
        return f"_:n{self._blank}"

    def plan(self, active: Any, key: str) -> tuple[Any, ...]:
        found = self.plans.get((id(active), key))
        if found is None:
            found = _plan(self.ctx, active, key)
            self.plans[(id(active), key)] = (active, *found)
            return found
        return found[1:]

    def iri_term(self, active: Any, value: Any, vocab: bool) -> str:
        if not isinstance(value, str):
            raise Fallback("IRI is not a string")
        head, colon, tail = value.partition(":")
        if (
            colon
            and not vocab
            and head != "_"
            and (tail.startswith("//") or head not in active["mappings"])
            and _absolute(value)
        ):
            return f"<{value}>"  # what pyld's _expand_iri answers, without a cache entry
        iri = self.ctx.iri(active, value, vocab)
        if iri.startswith("_:"):
            label = self._labels.get(iri)
            if label is None:
                label = self._labels[iri] = self.blank()
            return label
        if iri.startswith("@") or not _absolute(iri):
            raise Fallback(f"relative IRI {value!r}")
        return f"<{iri}>"

    def _enter(self, active: Any, element: Mapping[str, Any], scoped: Any) -> Any:
        """The active context for ``element``'s own keys (pyld's ``_expand`` steps)."""
        previous = active.get("previousContext")
        # a type-scoped context is reverted, except for a bare reference ({"id": ...})
        if previous is not None and (
            len(element) != 1 or self.ctx.iri(active, next(iter(element)), True) != "@id"
        ):
            active = previous
        if scoped is not None:
            active = self.ctx.apply(active, "p", scoped, id(scoped))
        if "@context" in element:
            local = element["@context"]
            active = self.ctx.apply(active, "l", local, _context_key(local))
        return active

    def _typed(self, active: Any, values: Any) -> tuple[Any, list[str]]:
        """The context after ``values``' type-scoped contexts, and their IRIs."""
        values = tuple(values) if isinstance(values, list) else (values,)
        if not all(isinstance(t, str) for t in values):
            raise Fallback("@type value is not a string")
        key = (id(active), values)
        found = self.ctx.types.get(key)
        if found is not None:
            return found[1], found[2]
        type_ctx = active
        for t in sorted(values):
            definition = type_ctx["mappings"].get(t)
            local = definition.get("@context") if definition else None
            if local is not None and local is not False:
                active = self.ctx.apply(active, "t", local, id(local))
        iris: list[str] = []
        for t in values:
            iri = self.ctx.iri(type_ctx, t, True)
            if iri.startswith("@") or iri.startswith("_:") or not _absolute(iri):
                raise Fallback(f"type {t!r} is not an absolute IRI")
            iris.append(f"<{iri}>")
        self.ctx.types[key] = (type_ctx, active, iris)
        return active, iris

    def node(self, active: Any, element: Mapping[str, Any], scoped: Any, graph: str) -> str:
        """Emit the quads of a node object; return its subject."""
        if not element:
            raise Fallback("empty node object")
        active = self._enter(active, element, scoped)
        types: list[str] = []
        type_key = None
        type_keys = self.ctx.type_keys(active)
        for key in element:
            if key in type_keys:
                if type_key is not None:
                    raise Fallback("two keys expand to @type")
                type_key = key
        if type_key is not None:
            active, types = self._typed(active, element[type_key])
        subject = ""
        props = []
        for key, value in element.items():
            if key == "@context":
                continue
            plan = self.plan(active, key)
            if plan[0] == _PROP:
                props.append((plan, value))
            elif plan[0] == _ID:
                subject = self.iri_term(active, value, False)
        if not subject:
            subject = self.blank()
        add = self.quads.append
        for t in types:
            add((subject, _RDF_TYPE, t, graph))
        for plan, value in props:
            self.property(subject, plan, value, graph)
        return subject

    def property(self, subject: str, plan: tuple[Any, ...], value: Any, graph: str) -> None:
        _, predicate, active, scoped, kind, _coerce, lang = plan
        add = self.quads.append
        if kind == _LANGUAGE and isinstance(value, Mapping):
            self._language_map(active, subject, predicate, lang, value, graph)
            return
        items = value if isinstance(value, list) else (value,)
        if kind == _LIST:
            add((subject, predicate, self._list(active, plan, items, graph), graph))
            return
        if kind == _GRAPH:
            for item in items:
                if item is None:
                    continue
                if not isinstance(item, Mapping):
                    raise Fallback("graph container value is not a node object")
                name = self.blank()
                self.node(active, item, scoped, name)
                add((subject, predicate, name, graph))
            return
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise Fallback("nested array")
            add((subject, predicate, self.object(active, plan, item, graph), graph))

    def _language_map(
        self, active: Any, subject: str, predicate: str, lang: Any,
        value: Mapping[str, Any], graph: str,
    ) -> None:
        if lang is _UNSUPPORTED:
            raise Fallback("@direction")
        for key in value:
            if key.startswith("@") or self.ctx.iri(active, key, True) == "@none":
                raise Fallback("@none in a language map")
            texts = value[key]
            for text in texts if isinstance(texts, list) else (texts,):
                if text is None:
                    continue
                if not isinstance(text, str):
                    raise Fallback("language map value is not a string")
                self.quads.append(
                    (subject, predicate, f'"{_escape(text)}"@{key.lower()}', graph)
                )

    def _list(
        self, active: Any, plan: tuple[Any, ...], items: Any, graph: str
    ) -> str:
        terms: list[str] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise Fallback("list of lists")
            terms.append(self.object(active, plan, item, graph))
        head = _RDF_NIL
        for term in reversed(terms):
            cell = self.blank()
            self.quads.append((cell, _RDF_FIRST, term, graph))
            self.quads.append((cell, _RDF_REST, head, graph))
            head = cell
        return head

    def object(self, active: Any, plan: tuple[Any, ...], item: Any, graph: str) -> str:
        """The RDF term of one value of a property (a node is emitted too)."""
        coerce = plan[5]
        if isinstance(item, str):
            if coerce is None:
                lang = plan[6]
                if lang is None:
                    return f'"{_escape(item)}"'
                if not isinstance(lang, str):
                    raise Fallback("@direction or odd language")
                return f'"{_escape(item)}"@{lang}'
            if coerce == "@id":
                return self.iri_term(active, item, False)
            if coerce == "@vocab":
                return self.iri_term(active, item, True)
            if coerce == "@unsupported":
                raise Fallback("@json or other keyword type")
            return _literal(item, coerce, None)
        if isinstance(item, Mapping):
            for key in item:
                iri = self.ctx.iri(active, key, True)
                if iri == "@value":
                    return self._value_object(active, item)
                if iri in ("@list", "@set", "@graph", "@included", "@reverse", "@nest"):
                    raise Fallback(f"{iri} object")
            return self.node(active, item, plan[3], graph)
        if coerce is None:
            return _scalar(item)
        if coerce.startswith("@"):
            raise Fallback(f"{coerce} number or boolean")
        return _typed_scalar(item, coerce)

    def _value_object(self, active: Any, item: Mapping[str, Any]) -> str:
        fields: dict[str, Any] = {}
        for key, v in item.items():
            iri = self.ctx.iri(active, key, True)
            if iri not in _VALUE_KEYS or iri in fields:
                raise Fallback(f"value object with {key!r}")
            fields[iri] = v
        value = fields["@value"]
        lang, dtype = fields.get("@language"), fields.get("@type")
        if lang is not None and dtype is not None:
            raise Fallback("value object with both @language and @type")
        if lang is not None:
            if not isinstance(lang, str) or not isinstance(value, str):
                raise Fallback("bad language-tagged value")
            return _literal(value, None, lang.lower())
        if dtype is not None:
            if not isinstance(dtype, str) or not isinstance(value, str):
                raise Fallback("typed value object other than a string")
            dtype = self.ctx.iri(active, dtype, True)
            if not _absolute(dtype) or dtype.startswith("_:") or dtype.startswith("@"):
                raise Fallback("value type is not an absolute IRI")
            return _literal(value, dtype, None)
        if isinstance(value, str):
            return _literal(value, None, None)
        return _scalar(value)


def _literal(value: str, datatype: str | None, lang: Any) -> str:
    text = f'"{_escape(value)}"'
    if lang is not None:
        if not isinstance(lang, str):
            raise Fallback("language is not a string")
        return f"{text}@{lang}"
    if datatype is None or datatype == _XSD_STRING:
        return text
    return f"{text}^^<{datatype}>"


def _scalar(value: Any) -> str:
    if value is True:
        return f'"true"{_BOOL}'
    if value is False:
        return f'"false"{_BOOL}'
    if isinstance(value, int | float):
        if _pyld._is_double(value) or abs(value) >= 1e21:
            return f'"{_pyld._canonicalize_double(value)}"{_DOUBLE}'
        return f'"{int(value)}"{_INT}'
    raise Fallback(f"value {value!r}")


def _typed_scalar(value: Any, datatype: str) -> str:
    """pyld's ``_object_to_rdf`` of a boolean or number whose term sets a datatype."""
    if value is True or value is False:
        return f'"{"true" if value else "false"}"^^<{datatype}>'
    if isinstance(value, int | float):
        if _pyld._is_double(value) or datatype == _XSD + "double":
            return f'"{_pyld._canonicalize_double(float(value))}"^^<{datatype}>'
        if abs(value) >= 1e21:
            return f'"{_pyld._canonicalize_double(value)}"^^<{datatype}>'
        return f'"{int(value)}"^^<{datatype}>'
    raise Fallback(f"value {value!r}")


def canonical_nquads(quads: list[Quad]) -> str:
    """RDFC-1.0 of ``quads`` (no blank node predicates) when no two blank nodes share a
    first-degree hash; :class:`Fallback` otherwise (the N-degree step is pyld's)."""
    unique = list(dict.fromkeys(quads))
    mentions: dict[str, list[Quad]] = {}
    for quad in unique:
        s, _, o, g = quad
        if s[0] == "_":
            mentions.setdefault(s, []).append(quad)
        if o[0] == "_":
            if o == s:
                # pyld lists such a quad twice for the node; implementations differ here
                raise Fallback("a blank node in two places of one quad")
            mentions.setdefault(o, []).append(quad)
        if g and g[0] == "_":
            if g in (s, o):
                raise Fallback("a blank node in two places of one quad")
            mentions.setdefault(g, []).append(quad)
    hashes: dict[str, str] = {}
    for node, related in mentions.items():
        lines = []
        for s, p, o, g in related:
            s = s if s[0] != "_" else ("_:a" if s == node else "_:z")
            o = o if o[0] != "_" else ("_:a" if o == node else "_:z")
            if g:
                g = g if g[0] != "_" else ("_:a" if g == node else "_:z")
                lines.append(f"{s} {p} {o} {g} .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
        lines.sort()
        hashes[hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()] = node
    if len(hashes) != len(mentions):
        raise Fallback("blank nodes share a first-degree hash (N-degree step)")
    label = {hashes[h]: f"_:c14n{i}" for i, h in enumerate(sorted(hashes))}
    get = label.get
    out = [
        f"{get(s, s)} {p} {get(o, o)} {get(g, g)} .\n" if g else f"{get(s, s)} {p} {get(o, o)} .\n"
        for s, p, o, g in unique
    ]
    out.sort()
    return "".join(out)


_COMPILED: weakref.WeakKeyDictionary[OfflineLoader, _Contexts] = weakref.WeakKeyDictionary()
_COMPILED_LOCK = threading.Lock()


def _contexts(loader: OfflineLoader) -> _Contexts:
    found = _COMPILED.get(loader)
    if found is None:
        with _COMPILED_LOCK:
            found = _COMPILED.get(loader)
            if found is None:
                found = _COMPILED[loader] = _Contexts(loader)
    return found


def document_quads(document: Mapping[str, Any], loader: OfflineLoader) -> list[Quad]:
    """The quads pyld's toRDF gives for ``document`` (blank nodes labelled arbitrarily)."""
    if "@context" not in document:
        raise Fallback("no @context")
    contexts = _contexts(loader)
    contexts.trim()
    walker = _Walker(contexts)
    try:
        walker.node(contexts.initial, document, None, "")
    except RecursionError as exc:
        raise Fallback("too deep") from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # a shape not foreseen here (a hostile document...): pyld judges it, as before
        raise Fallback(f"unexpected shape: {exc!r}") from exc
    return walker.quads


def canonicalize_fast(document: Mapping[str, Any], loader: OfflineLoader) -> str:
    """Canonical N-Quads of ``document`` as pyld gives them, or :class:`Fallback`."""
    return canonical_nquads(document_quads(document, loader))
