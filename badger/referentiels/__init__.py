"""Référentiels: CASE competence frameworks (import, export, versions, public pages).

The domain's functions, by concern: :mod:`.reading` (finding versions and CASE objects),
:mod:`.importing` (CASE/CSV in and out, shipped référentiels), :mod:`.drafts`,
:mod:`.categories`, :mod:`.competences`, :mod:`.translations` (editing a draft),
:mod:`.publishing`, :mod:`.adoption` (pinning a version, upgrading, and the
:func:`register_version_usage` hook grids and awards count through), :mod:`.comparison`
(diffs), :mod:`.pictograms`, :mod:`.permissions`, :mod:`.public_urls`, :mod:`.framework`
(rows <-> the CASE model of :mod:`.case`).

Every function takes a SQLAlchemy session and plain values, flushes, never commits (the request,
or the CLI command, commits once). Broken rules raise :class:`badger.errors.UserError`.
"""

# Crosswalks (recruiters' words): imported for the association provider they register.
from badger.referentiels import crosswalks
from badger.referentiels.adoption import (
    UpgradeImpact,
    VersionUsageCounter,
    adopt,
    adoption_of,
    adoptions,
    register_version_usage,
    upgrade_adoption,
    upgrade_impact,
)
from badger.referentiels.categories import (
    add_category,
    category_depths,
    category_descendants,
    delete_category,
    move_category,
    set_category_parent,
    update_category,
)
from badger.referentiels.comparison import Diff, diff, diff_summary
from badger.referentiels.competences import (
    CompetenceInput,
    add_competence,
    delete_competence,
    move_competence,
    update_competence,
)
from badger.referentiels.drafts import (
    create_referentiel,
    delete_draft,
    derive,
    new_version,
    update_document,
)
from badger.referentiels.framework import (
    ASSOCIATION_PROVIDERS,
    CANONICAL_BASE,
    canonical_package,
    content_hash,
    framework_of,
    package_of,
    package_tag,
    register_association_provider,
)
from badger.referentiels.importing import (
    export,
    import_framework,
    load_shipped,
    parse_upload,
    shipped_dir,
)
from badger.referentiels.permissions import can_edit, editable_referentiels
from badger.referentiels.pictograms import (
    MAX_PICTOGRAM_BYTES,
    PICTOGRAM_SIZE,
    pictogram_dir,
    save_pictogram,
    shipped_pictograms,
    valid_pictogram,
)
from badger.referentiels.public_urls import (
    alignment,
    competence_public_url,
    document_url,
    item_url,
    rubric_level_url,
)
from badger.referentiels.publishing import publish_version
from badger.referentiels.reading import (
    find_in_package,
    find_version,
    get_referentiel,
    get_version,
    get_version_by_identifier,
    item_associations,
    published_case_object,
    published_item,
    published_object,
    published_versions,
    search,
)
from badger.referentiels.rules import KEY_RE, LANG_RE
from badger.referentiels.translations import (
    TranslationInput,
    add_translations,
    translation_languages,
)

__all__ = [
    "ASSOCIATION_PROVIDERS", "CANONICAL_BASE", "KEY_RE", "LANG_RE", "MAX_PICTOGRAM_BYTES",
    "PICTOGRAM_SIZE", "CompetenceInput", "Diff", "TranslationInput", "UpgradeImpact",
    "VersionUsageCounter", "add_category", "add_competence", "add_translations", "adopt",
    "adoption_of", "adoptions", "alignment", "can_edit", "canonical_package", "category_depths",
    "category_descendants", "competence_public_url", "content_hash", "create_referentiel",
    "crosswalks",
    "delete_category", "delete_competence", "delete_draft", "derive", "diff", "diff_summary",
    "document_url", "editable_referentiels", "export", "find_in_package", "find_version",
    "framework_of", "get_referentiel", "get_version", "get_version_by_identifier",
    "import_framework", "item_associations", "item_url", "load_shipped", "move_category",
    "move_competence", "new_version", "package_of", "package_tag", "parse_upload", "pictogram_dir",
    "publish_version", "published_case_object", "published_item", "published_object",
    "published_versions", "register_association_provider", "register_version_usage",
    "rubric_level_url", "save_pictogram", "search", "set_category_parent", "shipped_dir",
    "shipped_pictograms", "translation_languages", "update_category", "update_competence",
    "update_document", "upgrade_adoption", "upgrade_impact", "valid_pictogram",
]
