"""The main menu marks where the person is: its own page ``aria-current="page"``, a page of its
section ``aria-current="true"``, and nothing else (the layout itself: test_nav_browser.py)."""

from __future__ import annotations

import re

from badger.accounts.models import NetworkAdmin
from badger.templating import nav_current


def _marked(html: str) -> list[tuple[str, str]]:
    nav = html[html.index('<nav class="main-nav"'):]
    nav = nav[: nav.index("</nav>")]
    return [
        (re.sub(r"\s+", " ", label).strip(), current)
        for current, label in re.findall(
            r'<a href="[^"]*" aria-current="(\w+)">.*?<span>(.*?)</span>', nav, re.S
        )
    ]


def test_own_page_and_section_are_marked(admin_client, db, make, participant, admin):
    network = make.network("reseau-menu")
    db.add(NetworkAdmin(user_id=admin.id, network_id=network.id))
    db.commit()
    assert _marked(admin_client.get("/").get_data(as_text=True)) == [("Accueil", "page")]
    assert _marked(admin_client.get("/admin/participants").get_data(as_text=True)) == [
        ("Participants", "page")
    ]
    page = admin_client.get(f"/admin/participants/{participant.id}").get_data(as_text=True)
    assert _marked(page) == [("Participants", "true")]
    page = admin_client.get("/admin/networks/reseau-menu").get_data(as_text=True)
    assert _marked(page) == [("Réseaux", "true")]


def test_participant_pages_outside_the_entry_url_belong_to_their_section(app):
    items = [
        ("accounts.home", "Mon espace", "home"),
        ("grids.my_grids", "Mes grilles", "chart"),
        ("portfolio.index", "Mes badges", "badge"),
        ("portfolio.shares", "Mes partages", "share"),
    ]
    cases = {
        "/": ("accounts.home", "page"),
        "/me/grids": ("grids.my_grids", "page"),
        "/me/rounds/3/step/2": ("grids.my_grids", "true"),
        "/me/sessions/4/peers": ("grids.my_grids", "true"),
        "/portfolio": ("portfolio.index", "page"),
        "/portfolio/shares/7": ("portfolio.shares", "true"),  # the longest entry URL wins
        "/portfolio/import": ("portfolio.index", "true"),
        "/verify": None,  # "/" (home) is never a section
    }
    for path, expected in cases.items():
        with app.test_request_context(path):
            assert nav_current(items) == expected, path
