"""Generated, metadata-free images for the demo and benchmark content of every app."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

PALETTES = [
    ((10, 90, 156), (7, 63, 110)),
    ((30, 110, 90), (14, 70, 60)),
    ((150, 60, 40), (100, 35, 25)),
    ((90, 70, 140), (55, 40, 95)),
    ((20, 100, 130), (10, 60, 90)),
]


def make_cover_image(title, label, width=1200, height=800):
    """A generated, metadata-free JPEG: a coloured panel with the item's label."""
    seed = int(hashlib.sha256(title.encode()).hexdigest(), 16)
    top, bottom = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", (width, height), top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / height
        colour = tuple(
            round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)
        )
        draw.line([(0, y), (width, y)], fill=colour)
    for index in range(6):
        radius = 80 + (seed >> (index * 8)) % 220
        x = (seed >> (index * 5)) % width
        y = (seed >> (index * 7)) % height
        draw.ellipse(
            [x - radius, y - radius, x + radius, y + radius],
            outline=(255, 255, 255),
            width=3,
        )
    big = ImageFont.load_default(size=88)
    small = ImageFont.load_default(size=40)
    draw.rectangle([60, height - 260, width - 60, height - 60], fill=(255, 255, 255))
    draw.text((100, height - 240), "UN-ACT", font=big, fill=top)
    draw.text((100, height - 130), label, font=small, fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
