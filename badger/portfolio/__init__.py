"""The participant's portfolio: their badges and charts, shares as consent (the employer's page),
badges imported from elsewhere, their data export and erasure.

Modules by concern — ``reading`` (queries for the pages), ``badges`` (public flag, files,
LinkedIn), ``shares`` (links, tokens, view counting), ``badge_view`` and ``charts`` (one badge
or chart as an employer sees it), ``share_page`` (the public page), ``imports``, ``export``,
``erasure``, ``retention`` (``badger purge`` and erasure hooks). Functions take a session and
plain values, ``flush()`` and never ``commit()``; the request commits (:mod:`badger.db`).
"""

from badger.portfolio.badge_view import (
    REPORTS,
    VIEW_TTL,
    BadgeView,
    RecruiterWord,
    credential_view,
    imported_reports,
    imported_view,
)
from badger.portfolio.badges import (
    credential_file,
    credentials_zip,
    credentials_zip_stream,
    linkedin_url,
    set_public,
)
from badger.portfolio.charts import ChartView, chart_view
from badger.portfolio.erasure import erase
from badger.portfolio.export import export_zip
from badger.portfolio.imports import (
    MAX_IMPORTS,
    bind_import,
    delete_import,
    import_credential,
    import_file,
)
from badger.portfolio.reading import (
    ViewStats,
    each_credential,
    my_credentials,
    my_imports,
    my_rounds,
    my_shares,
    own_import,
    own_share,
    view_stats,
)
from badger.portfolio.share_page import SharePage, share_page
from badger.portfolio.share_version import share_version
from badger.portfolio.shares import (
    MAX_LABEL,
    MAX_SHARE_DAYS,
    NewShare,
    ShareGone,
    ViewDeduplicator,
    create_share,
    find_share,
    new_token,
    record_view,
    revoke_share,
    view_deduplicator,
)

__all__ = [
    "MAX_IMPORTS",
    "MAX_LABEL",
    "MAX_SHARE_DAYS",
    "REPORTS",
    "VIEW_TTL",
    "BadgeView",
    "ChartView",
    "NewShare",
    "RecruiterWord",
    "ShareGone",
    "SharePage",
    "ViewDeduplicator",
    "ViewStats",
    "bind_import",
    "chart_view",
    "create_share",
    "credential_file",
    "credential_view",
    "credentials_zip",
    "credentials_zip_stream",
    "delete_import",
    "each_credential",
    "erase",
    "export_zip",
    "find_share",
    "import_credential",
    "import_file",
    "imported_reports",
    "imported_view",
    "linkedin_url",
    "my_credentials",
    "my_imports",
    "my_rounds",
    "my_shares",
    "new_token",
    "own_import",
    "own_share",
    "record_view",
    "revoke_share",
    "set_public",
    "share_page",
    "share_version",
    "view_deduplicator",
    "view_stats",
]
