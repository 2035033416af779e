"""Easy-to-read texts print their lines as <br> in templates: the catalogue's text is trusted,
a parameter (a participant's name, a badge title) is still escaped, line breaks included."""

from __future__ import annotations

from typing import Any

from flask import g, render_template_string

from badger import i18n


def test_a_name_in_an_easy_to_read_text_is_escaped(app: Any, monkeypatch: Any) -> None:
    entries = {"Bonjour %(name)s": "Bonjour\n%(name)s"}
    monkeypatch.setattr(i18n, "falc_entries", lambda code: dict(entries))
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        g.easy_read = True
        html = render_template_string(
            '{{ _("Bonjour %(name)s", name=name) }}|',
            name='<script>alert(1)</script>\n"<b>',
        )
    assert html.startswith("Bonjour<br>&lt;script&gt;alert(1)&lt;/script&gt;\n&#34;&lt;b&gt;|")
    assert "<script>" not in html and "<b>" not in html
