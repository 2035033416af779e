"""French names inside Arabic pages keep their brackets in place (issue #17: misplaced brackets
around "(référentiel)" in Arabic). A Latin title ending in ")" — "Savoir-être (test)" — laid out
in a right-to-left paragraph moves its closing bracket to the wrong end unless it is isolated
(``dir`` on its own element, which HTML isolates, or ``<bdi>``). Through HTTP, on the Arabic
share page and the Arabic verify page: every embedded name sits in such an element."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from tests.conftest import login_participant
from tests.portfolio import _factory


class _Isolation(HTMLParser):
    """For each text run of the page's <main> (outside form fields): whether an element
    between it and <html> isolates it (has ``dir``, or is ``<bdi>``)."""

    VOID = frozenset({"img", "br", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.runs: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        isolates = tag == "bdi" or (tag != "html" and any(k == "dir" for k, _v in attrs))
        self.stack.append((tag, isolates))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        tags = [t for t, _i in self.stack]
        # a form field's value (the verify form echoes the pasted JSON) is not page text
        if "main" in tags and "textarea" not in tags and data.strip():
            self.runs.append((data, any(i for _t, i in self.stack)))


def _not_isolated(page: str, names: list[str]) -> list[str]:
    parser = _Isolation()
    parser.feed(page)
    seen = {name: [iso for text, iso in parser.runs if name in text] for name in names}
    missing = [name for name, found in seen.items() if not found]
    assert not missing, f"not on the page: {missing}"
    return [name for name, found in seen.items() if not all(found)]


def test_names_are_isolated_on_the_arabic_share_and_verify_pages(
        app: Any, db: Any, make: Any, org: Any, admin: Any) -> None:
    person = make.participant(org, "Amina (Lyon)")
    cred = _factory.badges(db, org, admin, person, n=1)[0]
    client = app.test_client()
    login_participant(client, make, person)
    r = client.post("/portfolio/shares", data={"label": "entretien", "days": "30",
                                               "credential": [str(cred.id)], "show_name": "1"})
    assert r.status_code == 302
    link = re.search(r'<code id="share-link">([^<]+)</code>',
                     client.get(r.headers["Location"]).get_data(as_text=True))
    assert link
    arabic = {"Accept-Language": "ar"}
    share = app.test_client().get("/" + link.group(1).split("/", 3)[3], headers=arabic)
    page = share.get_data(as_text=True)
    assert share.status_code == 200 and '<html lang="ar" dir="rtl">' in page
    names = ["Savoir-être (test)", "Ponctualité", "Organisation A", "Amina (Lyon)"]
    assert _not_isolated(page, names) == []

    verify = app.test_client().post("/verify", data={"text": cred.signed_json}, headers=arabic)
    page = verify.get_data(as_text=True)
    assert verify.status_code == 200 and '<html lang="ar" dir="rtl">' in page
    issuer_id = re.search(r'"issuer":\{"id":"([^"]+)"', cred.signed_json)
    assert issuer_id
    names = ["Ponctualité", "Organisation A", issuer_id.group(1), "niveau 4"]
    assert _not_isolated(page, names) == []


def test_the_check_sees_a_name_left_bare() -> None:
    page = ('<html lang="ar" dir="rtl"><main><p>المرجع: Savoir-être (test)</p>'
            '<p><span dir="auto">Ponctualité</span></p><p><bdi>Organisation A</bdi></p></main>'
            '</html>')
    assert _not_isolated(page, ["Savoir-être (test)", "Ponctualité", "Organisation A"]) == [
        "Savoir-être (test)"]
