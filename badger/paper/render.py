"""HTML → PDF with WeasyPrint: A4, the shipped fonts embedded, tagged (PDF/UA-1) for screen
readers, and nothing fetched — the pages carry their images as ``data:`` URIs.

Why WeasyPrint: it lays text out with Pango and HarfBuzz, the engines of the Linux desktop, so
Arabic is joined and ordered right to left (bidi included) exactly as a browser would, with no
reshaping step of our own; the kit is written as HTML/CSS templates like every other page; it
writes tagged PDFs; it is maintained (CourtBouillon, releases every few months, BSD licence).
ReportLab needs arabic-reshaper + python-bidi to pre-shape each string, which gets mixed
Arabic/Latin lines and marks wrong, and its tagging is in the commercial edition only.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from flask_babel import lazy_gettext as _l

from badger.errors import UserError

#: The shipped fonts (badger/grids/fonts: the PNG charts use them too), never the system's.
FONTS = Path(__file__).resolve().parent.parent / "grids" / "fonts"

FONT_CSS = f"""
@font-face {{ font-family: "Badger Sans"; font-weight: normal;
  src: url("{(FONTS / "DejaVuSans.ttf").as_uri()}"); }}
@font-face {{ font-family: "Badger Sans"; font-weight: bold;
  src: url("{(FONTS / "DejaVuSans-Bold.ttf").as_uri()}"); }}
"""

PDF_MIMETYPE = "application/pdf"


def allowed_url(url: str) -> bool:
    """Only ``data:`` URIs (the pages' images) and the shipped fonts may be read: a page never
    makes the server fetch anything else, whatever text it carries."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return True
    if parsed.scheme != "file":
        return False
    path = Path(unquote(parsed.path)).resolve()
    return path.parent == FONTS and path.suffix == ".ttf" and path.is_file()


@functools.cache
def _weasyprint() -> Any:
    """WeasyPrint, imported on first use (it loads Pango: startup stays fast) — or an answer
    saying the server cannot make PDFs when the system's Pango is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: libpango not found
        raise UserError(_l("Ce serveur ne peut pas fabriquer de PDF (Pango manque)."), 503) from exc
    import weasyprint.text.fonts

    class Fetcher(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not allowed_url(url):
                raise ValueError(f"refused to fetch {url[:80]}")
            return super().fetch(url, headers)

    return weasyprint, Fetcher


def html_to_pdf(html: str, *, title: str) -> bytes:
    """One PDF from a rendered page (``lang`` and ``dir`` on its ``<html>``): fonts embedded
    (subsets), structure tags and the document language for screen readers."""
    wp, fetcher_class = _weasyprint()
    fetcher = fetcher_class(allowed_protocols={"data", "file"})
    fonts = wp.text.fonts.FontConfiguration()
    css = wp.CSS(string=FONT_CSS, font_config=fonts, url_fetcher=fetcher)
    doc = wp.HTML(string=html, url_fetcher=fetcher, base_url=FONTS.as_uri() + "/")
    pdf = doc.write_pdf(
        stylesheets=[css],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
        custom_metadata=False,
        uncompressed_pdf=False,
    )
    if not isinstance(pdf, bytes):  # write_pdf returns the bytes when given no target
        raise TypeError(title)
    return pdf
