"""Badge images: generated with Pillow (organisation colour, competence pictogram, label) or an
uploaded PNG re-encoded; plus a matching SVG so credentials can be baked in both formats.

The generated image is 400×400 and stays readable at 90 px: one pictogram, a short label in
large bold type (at most two lines), strong contrast (white on the organisation colour, which is
darkened if too light for white text).
"""

from __future__ import annotations

import base64
import io
import textwrap
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from badger import resource_dir
from badger.guards import ImageRefused, open_image

SIZE = 400
MAX_UPLOAD_PIXELS = 4096 * 4096
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)


class ImageError(ValueError):
    """The uploaded file is not a usable PNG."""


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    text = (colour or "#1d4f91").lstrip("#")
    if len(text) != 6:
        text = "1d4f91"
    try:
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        r, g, b = 0x1D, 0x4F, 0x91
    return r, g, b


def _luminance(rgb: tuple[int, int, int]) -> float:
    def chan(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (chan(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def readable_background(colour: str) -> tuple[int, int, int]:
    """The colour, darkened until white text on it reaches a 4.5:1 contrast ratio."""
    rgb = _hex_to_rgb(colour)
    for _ in range(20):
        if (1.05) / (_luminance(rgb) + 0.05) >= 4.5:
            break
        rgb = (int(rgb[0] * 0.85), int(rgb[1] * 0.85), int(rgb[2] * 0.85))
    return rgb


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def pictogram_path(name: str | None, ext: str) -> Path:
    base = resource_dir("static") / "pictograms"
    safe = "".join(c for c in (name or "") if c.isalnum() or c in "-_")
    path = base / f"{safe}.{ext}"
    return path if safe and path.exists() else base / f"generic.{ext}"


def _label_lines(label: str, width: int = 14, max_lines: int = 2) -> list[str]:
    lines = textwrap.wrap(label.strip(), width=width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def generate_png(label: str, colour: str, pictogram: str | None) -> bytes:
    """A round badge: coloured disc, white ring, pictogram on a white medallion, the label."""
    bg = readable_background(colour)
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=(*bg, 255), outline=(255, 255, 255, 255),
                 width=10)
    draw.ellipse((120, 40, 280, 200), fill=(255, 255, 255, 255))
    picto = Image.open(pictogram_path(pictogram, "png")).convert("RGBA").resize((120, 120))
    img.alpha_composite(picto, (140, 60))
    font = _font(40)
    lines = _label_lines(label)
    y = 222 if len(lines) > 1 else 245
    for line in lines:
        w = draw.textlength(line, font=font)
        draw.text(((SIZE - w) / 2, y), line, font=font, fill=(255, 255, 255, 255))
        y += 50
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def generate_svg(label: str, colour: str, pictogram: str | None, alt: str) -> str:
    """The same design as vector: no script, no external reference (bakeable)."""
    r, g, b = readable_background(colour)
    picto_png = pictogram_path(pictogram, "png").read_bytes()
    data = base64.b64encode(picto_png).decode("ascii")
    lines = _label_lines(label)
    y0 = 252 if len(lines) > 1 else 275
    texts = "".join(
        f'<text x="200" y="{y0 + i * 50}" text-anchor="middle" font-family="DejaVu Sans, Arial, '
        f'sans-serif" font-weight="700" font-size="40" fill="#fff">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 400 400" width="400" height="400" role="img" '
        f'aria-label="{escape(alt, {chr(34): "&quot;"})}">'
        f"<title>{escape(alt)}</title>"
        f'<circle cx="200" cy="200" r="191" fill="#{r:02x}{g:02x}{b:02x}" stroke="#fff" '
        'stroke-width="10"/>'
        '<circle cx="200" cy="120" r="80" fill="#fff"/>'
        f'<image x="140" y="60" width="120" height="120" href="data:image/png;base64,{data}"/>'
        f"{texts}</svg>"
    )


def svg_from_png(png: bytes, alt: str) -> str:
    """An SVG wrapper around an uploaded PNG, so uploaded badges can be baked as SVG too."""
    with Image.open(io.BytesIO(png)) as im:
        w, h = im.size
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        f'height="{h}" role="img" aria-label="{escape(alt, {chr(34): "&quot;"})}">'
        f"<title>{escape(alt)}</title>"
        f'<image width="{w}" height="{h}" href="data:image/png;base64,{data}"/></svg>'
    )


def reencode_upload(data: bytes) -> bytes:
    """Decode an uploaded PNG and write fresh pixels only (no metadata, no baked payload)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ImageError("not a PNG")
    try:
        with open_image(data, formats=["PNG"]) as im:
            if im.width * im.height > MAX_UPLOAD_PIXELS:
                raise ImageError("image too large")
            im.load()
            rgba = im.convert("RGBA")
    except (ImageRefused, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(str(exc)) from exc
    rgba.thumbnail((512, 512))
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()
