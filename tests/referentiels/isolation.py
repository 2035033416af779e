"""Cross-organisation cases for tests/test_isolation.py (see its docstring).

Another organisation's draft référentiel must not exist for us (404), nor its adoptions.
Published versions and the CASE endpoints are public by design.
"""

from __future__ import annotations

from typing import Any

from badger import referentiels as service


def _draft(make: Any, org_b: Any) -> tuple[str, int]:
    v = service.create_referentiel(
        make.db, title="Brouillon B", key=f"brouillon-{org_b.slug}", creator=org_b.name,
        organisation_id=org_b.id,
    )
    comp = service.add_competence(make.db, v, service.CompetenceInput(code="B1", label="Bêta"))
    make.db.commit()
    return f"/referentiels/{v.referentiel.key}", comp.id


def _category_url(make: Any, org_b: Any) -> str:
    base, _comp = _draft(make, org_b)
    v = service.get_version(make.db, base.rsplit("/", 1)[-1], 1)
    assert v is not None
    cat = service.add_category(make.db, v, label="Catégorie B")
    make.db.commit()
    return f"{base}/v1/categories/{cat.id}"


def _adoption(make: Any, org_b: Any) -> int:
    from badger.referentiels.models import Adoption

    v = service.create_referentiel(
        make.db, title="Publié", key="publie-pour-b", creator="x", organisation_id=org_b.id
    )
    service.add_competence(make.db, v, service.CompetenceInput(code="P1", label="Pi"))
    service.publish_version(make.db, v)
    adoption = Adoption(organisation_id=org_b.id, referentiel_id=v.referentiel_id,
                        version_id=v.id)
    make.db.add(adoption)
    make.db.commit()
    return adoption.id


def _crosswalk(method: str, suffix: str = "") -> Any:
    """A link of org B's draft référentiel: its page and edit routes answer 404 to others."""
    def build(make: Any, org_b: Any) -> tuple[str, str]:
        from badger.referentiels import crosswalks

        base, _comp = _draft(make, org_b)
        ref = service.get_referentiel(make.db, base.rsplit("/", 1)[-1])
        assert ref is not None
        cw = crosswalks.add_mapping(make.db, ref, crosswalks.CrosswalkInput(
            source_code="B1", target="http://data.europa.eu/esco/skill/x", target_label="x"))
        make.db.commit()
        return method, f"{base}/crosswalks/{cw.id}{suffix}"

    return build


def _on_draft(suffix: str, method: str = "GET") -> Any:
    def build(make: Any, org_b: Any) -> tuple[str, str]:
        base, comp_id = _draft(make, org_b)
        return method, base + suffix.format(c=comp_id)

    return build


CASES = {
    "referentiels.show": _on_draft(""),
    "referentiels.version": _on_draft("/v1"),
    "referentiels.export": _on_draft("/v1/export.json"),
    "referentiels.diff": _on_draft("/diff"),
    "referentiels.edit": _on_draft("/v1/edit"),
    "referentiels.add_category": _on_draft("/v1/categories", "POST"),
    "referentiels.competence": _on_draft("/v1/competences/{c}/edit"),
    "referentiels.move": _on_draft("/v1/competences/{c}/move", "POST"),
    "referentiels.category": lambda make, org_b: (
        "POST", _category_url(make, org_b)
    ),
    "referentiels.delete": _on_draft("/v1/competences/{c}/delete", "POST"),
    "referentiels.publish": _on_draft("/v1/publish", "POST"),
    "referentiels.discard": _on_draft("/v1/discard", "POST"),
    "referentiels.new_version": _on_draft("/new-version", "POST"),
    "referentiels.derive": _on_draft("/v1/derive"),
    "referentiels.adopt": _on_draft("/v1/adopt", "POST"),
    "referentiels.crosswalks_page": _on_draft("/crosswalks", "POST"),
    "referentiels.crosswalk_copy": _on_draft("/crosswalks/copy", "POST"),
    "referentiels.crosswalk_edit": _crosswalk("POST"),
    "referentiels.crosswalk_delete": _crosswalk("POST", "/delete"),
    "referentiels.upgrade": lambda make, org_b: (
        "GET", f"/referentiels/adoptions/{_adoption(make, org_b)}/upgrade"
    ),
}

#: Public by design: CASE documents anyone can resolve, and uploaded pictograms.
EXEMPT: dict[str, str] = {
    f"referentiels.{name}": "public CASE endpoint (published versions only)"
    for name in ("case_document", "case_package", "case_item", "case_association",
                 "case_rubric", "case_criterion", "case_level", "case_item_type",
                 "case_grouping", "case_license", "case_item_associations", "case_concept",
                 "case_subject")
} | {"referentiels.uploaded_pictogram": "public pictogram file, named by its hash"}
