"""The paper kit, as PDF: the blank session sheet (score on paper, type in afterwards), a
participant's follow-up booklet (charts entry / mid-way / exit, agreed levels, the coach's
advice, badges with their QR codes), the CV annex of a share.

Above ``portfolio`` in the layers: the booklet lists badges (awards) and the annex is a share's
(portfolio). ``kit`` reads what each paper shows, ``render`` turns a page into a PDF
(WeasyPrint; why in its docstring), ``views`` serves them.
"""

from badger.paper.kit import (
    SCORES,
    Booklet,
    SessionSheet,
    annex_charts,
    booklet,
    qr_png,
    session_sheet,
)
from badger.paper.render import html_to_pdf

__all__ = [
    "SCORES",
    "Booklet",
    "SessionSheet",
    "annex_charts",
    "booklet",
    "html_to_pdf",
    "qr_png",
    "session_sheet",
]
