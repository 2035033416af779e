"""Draw badger's shipped pictograms as SVG and PNG (Pillow) into static/pictograms/.

Run from the project root:  .venv/bin/python referentiels/make_pictograms.py

Original, simple geometric drawings on a 64×64 grid, written for badger (no third-party art),
dedicated to the public domain (CC0 1.0; listed so in index.csv).
Each shape is described once and rendered twice: as SVG elements and with Pillow's ImageDraw
(drawn at 16× then reduced, for smooth edges). PNG files are 256×256 with transparency.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "pictograms"
INK = "#1f3a5f"
W = 4.0  # stroke width on the 64 grid
SCALE = 16
PNG_SIZE = 256

Shape = tuple  # ("circle", cx, cy, r, fill) | ("line", pts) | ("poly", pts, fill) | ("rect", ...)
Pts = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> Pts:
    """Points on an ellipse arc from angle a0 to a1 (degrees, 0 = east, clockwise on screen)."""
    return [
        (cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
         cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)))
        for i in range(n + 1)
    ]


def bezier(p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float],
           n: int = 16) -> Pts:
    """Points on a quadratic Bézier curve."""
    return [
        ((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
         (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1])
        for t in (i / n for i in range(n + 1))
    ]


def star(cx: float, cy: float, r1: float, r2: float) -> Pts:
    return [
        (cx + (r1 if i % 2 == 0 else r2) * math.cos(math.radians(-90 + 36 * i)),
         cy + (r1 if i % 2 == 0 else r2) * math.sin(math.radians(-90 + 36 * i)))
        for i in range(10)
    ]


def heart() -> Pts:
    pts = []
    for i in range(60):
        t = 2 * math.pi * i / 60
        x = 16 * math.sin(t) ** 3
        y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
        pts.append((32 + x * 1.5, 33 + y * 1.5))
    return pts


def wave(y: float) -> Pts:
    return [(8 + i, y + 5 * math.sin(i / 48 * 4 * math.pi)) for i in range(0, 49, 2)]


def person(cx: float, cy: float, s: float) -> list[Shape]:
    return [("circle", cx, cy, 6 * s, False),
            ("line", arc(cx, cy + 22 * s, 12 * s, 12 * s, 180, 360))]


PICTOGRAMS: dict[str, list[Shape]] = {
    "clock": [("circle", 32, 32, 24, False), ("line", [(32, 32), (32, 18)]),
              ("line", [(32, 32), (42, 38)])],
    "calendar": [("rect", 12, 16, 52, 54, False, 4), ("line", [(12, 26), (52, 26)]),
                 ("line", [(22, 10), (22, 20)]), ("line", [(42, 10), (42, 20)]),
                 ("rect", 19, 33, 26, 39, True, 1), ("rect", 29, 33, 36, 39, True, 1),
                 ("rect", 39, 33, 46, 39, True, 1), ("rect", 19, 43, 26, 49, True, 1)],
    "check": [("circle", 32, 32, 24, False), ("line", [(20, 33), (29, 42), (45, 24)])],
    "handshake": [("rect", 2, 20, 10, 40, True, 2), ("rect", 54, 20, 62, 40, True, 2),
                  ("line", [(10, 24), (20, 20), (30, 24), (22, 30), (28, 34)]),
                  ("line", [(54, 24), (44, 22), (30, 24)]),
                  ("line", [(10, 36), (18, 38), (30, 46), (34, 44), (26, 38)]),
                  ("line", [(54, 36), (46, 36), (36, 44)]),
                  ("line", [(34, 44), (40, 40), (46, 36)]), ("line", [(28, 34), (40, 40)])],
    "shield": [("poly", [(32, 8), (52, 16), (50, 36), (32, 56), (14, 36), (12, 16)], False),
               ("line", [(23, 32), (30, 39), (42, 25)])],
    "leaf": [("poly", bezier((12, 52), (14, 14), (52, 12)) + bezier((52, 12), (50, 50), (12, 52)),
              False),
             ("line", [(12, 52), (38, 26)])],
    "heart": [("poly", heart(), False)],
    "posture": [("circle", 32, 12, 6, True), ("line", [(32, 20), (32, 40)]),
                ("line", [(20, 14), (32, 28), (44, 14)]), ("line", [(22, 56), (32, 40), (42, 56)])],
    "dumbbell": [("line", [(16, 32), (48, 32)]), ("rect", 10, 20, 17, 44, True, 2),
                 ("rect", 47, 20, 54, 44, True, 2), ("rect", 4, 25, 10, 39, True, 2),
                 ("rect", 54, 25, 60, 39, True, 2)],
    "person": person(32, 22, 1.6),
    "star": [("poly", star(32, 33, 25, 11), False)],
    "flame": [("poly", bezier((32, 6), (54, 30), (46, 46)) + arc(32, 44, 14, 14, 10, 170)[1:-1]
               + bezier((18, 46), (10, 30), (32, 6)), False),
              ("poly", bezier((32, 30), (42, 42), (32, 52)) + bezier((32, 52), (22, 42), (32, 30)),
               True)],
    "lightning": [("poly", [(38, 6), (16, 36), (30, 36), (24, 58), (48, 26), (34, 26), (42, 6)],
                   False)],
    "mountain": [("poly", [(6, 54), (24, 22), (34, 38), (42, 28), (58, 54)], False),
                 ("line", [(24, 22), (24, 8)]), ("poly", [(24, 8), (35, 11), (24, 15)], True)],
    "wave": [("line", wave(20)), ("line", wave(32)), ("line", wave(44))],
    "pause": [("circle", 32, 32, 24, False), ("rect", 23, 21, 29, 43, True, 1),
              ("rect", 35, 21, 41, 43, True, 1)],
    "megaphone": [("poly", [(10, 26), (10, 38), (20, 38), (42, 50), (42, 14), (20, 26)], False),
                  ("line", [(18, 38), (22, 52)]), ("line", [(49, 24), (56, 20)]),
                  ("line", [(50, 32), (58, 32)]), ("line", [(49, 40), (56, 44)])],
    "speech": [("rect", 8, 10, 56, 42, False, 8), ("poly", [(20, 42), (16, 54), (30, 42)], True),
               ("circle", 22, 26, 2.5, True), ("circle", 32, 26, 2.5, True),
               ("circle", 42, 26, 2.5, True)],
    "team": [*person(18, 24, 0.9), *person(46, 24, 0.9), *person(32, 18, 1.1)],
    "target": [("circle", 32, 32, 24, False), ("circle", 32, 32, 14, False),
               ("circle", 32, 32, 5, True)],
    "generic": [("poly", arc(32, 32, 24, 24, -90, 270, 6)[:-1], False),
                ("circle", 32, 32, 7, True)],
}

#: French names shown when choosing a pictogram in the editor.
LABELS = {
    "clock": "Horloge", "calendar": "Calendrier", "check": "Coche", "handshake": "Poignée de main",
    "shield": "Bouclier", "leaf": "Feuille", "heart": "Cœur", "posture": "Posture",
    "dumbbell": "Haltère", "person": "Personne", "star": "Étoile", "flame": "Flamme",
    "lightning": "Éclair", "mountain": "Montagne", "wave": "Vague", "pause": "Pause",
    "megaphone": "Mégaphone", "speech": "Bulle", "team": "Équipe", "target": "Cible",
    "generic": "Générique",
}


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _pts(pts: Pts) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in pts)


def svg(shapes: list[Shape], title: str) -> str:
    body = []
    for s in shapes:
        kind = s[0]
        if kind == "circle":
            _, cx, cy, r, fill = s
            paint = f'fill="{INK}"' if fill else 'fill="none"'
            body.append(f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" {paint}/>')
        elif kind == "line":
            body.append(f'<polyline points="{_pts(s[1])}" fill="none"/>')
        elif kind == "poly":
            paint = f'fill="{INK}"' if s[2] else 'fill="none"'
            body.append(f'<polygon points="{_pts(s[1])}" {paint}/>')
        elif kind == "rect":
            _, x0, y0, x1, y1, fill, rad = s
            paint = f'fill="{INK}"' if fill else 'fill="none"'
            body.append(
                f'<rect x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(x1 - x0)}" '
                f'height="{_fmt(y1 - y0)}" rx="{_fmt(rad)}" {paint}/>'
            )
    inner = "\n  ".join(body)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" '
        f'role="img" aria-label="{title}">\n  <title>{title}</title>\n'
        f'  <g stroke="{INK}" stroke-width="{_fmt(W)}" stroke-linecap="round" '
        f'stroke-linejoin="round">\n  {inner}\n  </g>\n</svg>\n'
    )


def png(shapes: list[Shape]) -> Image.Image:
    size = 64 * SCALE
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    w = int(W * SCALE)

    def sc(pts: Pts) -> list[tuple[float, float]]:
        return [(x * SCALE, y * SCALE) for x, y in pts]

    def dot(x: float, y: float) -> None:
        d.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=INK)

    def polyline(pts: list[tuple[float, float]]) -> None:
        d.line(pts, fill=INK, width=w, joint="curve")
        for x, y in pts:
            dot(x, y)

    for s in shapes:
        kind = s[0]
        if kind == "circle":
            _, cx, cy, r, fill = s
            box = ((cx - r) * SCALE, (cy - r) * SCALE, (cx + r) * SCALE, (cy + r) * SCALE)
            if fill:
                d.ellipse(box, fill=INK)
            else:
                half = w / 2
                d.ellipse((box[0] - half, box[1] - half, box[2] + half, box[3] + half), fill=INK)
                d.ellipse((box[0] + half, box[1] + half, box[2] - half, box[3] - half),
                          fill=(0, 0, 0, 0))
        elif kind == "line":
            polyline(sc(s[1]))
        elif kind == "poly":
            pts = sc(s[1])
            if s[2]:
                d.polygon(pts, fill=INK)
            else:
                polyline([*pts, pts[0]])
        elif kind == "rect":
            _, x0, y0, x1, y1, fill, rad = s
            box = (x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE)
            if fill:
                d.rounded_rectangle(box, radius=rad * SCALE, fill=INK)
            else:
                d.rounded_rectangle(box, radius=rad * SCALE, outline=INK, width=w)
    return img.resize((PNG_SIZE, PNG_SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, shapes in PICTOGRAMS.items():
        (OUT / f"{name}.svg").write_text(svg(shapes, LABELS[name]), encoding="utf-8")
        png(shapes).save(OUT / f"{name}.png", optimize=True)
    # badger's own drawings, dedicated to the public domain (CC0); other rows are kept
    from import_openmoji import update_index

    update_index(OUT, {n: {"name": n, "label_fr": LABELS[n], "licence": "CC0-1.0",
                           "author": "badger", "source_url": "referentiels/make_pictograms.py"}
                       for n in PICTOGRAMS},
                 ["name", "label_fr", "licence", "author", "source_url"])
    print(f"{len(PICTOGRAMS)} pictograms in {OUT}")


if __name__ == "__main__":
    main()
