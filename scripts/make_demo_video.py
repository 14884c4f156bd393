"""Make the demo's self-hosted video: the COMMIT 10 Years summary and its captions.

    .venv/bin/python scripts/make_demo_video.py        (needs ffmpeg: apt-get install ffmpeg)

The demo has no copy of the original COMMIT film, so it plays a short film of title
cards made here: each card is drawn with Pillow, frames are piped to ffmpeg and
encoded as H.264 in MP4 (plays in every current browser, no outside service), and
the cards' words are written as WebVTT captions. Writes, beside publications/demo.py:

    publications/demo_assets/commit-10-years.mp4
    publications/demo_assets/commit-10-years.vtt

Both are committed; `load_demo` copies them into the media store, so running the demo
does not need ffmpeg. Run this again only to change the film.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "publications" / "demo_assets"
NAME = "commit-10-years"
SIZE = (640, 360)
FPS = 12
SECONDS_PER_CARD = 4
FADE_FRAMES = 6
TOP, BOTTOM = (
    (10, 90, 156),
    (7, 63, 110),
)  # the demo's first palette (unact/demo_images.py)

# (heading, line): each card's words, which are also its caption.
CARDS = [
    ("COMMIT 10 Years", "Ten years of the COMMIT Process against human trafficking"),
    ("Phnom Penh, 2015", "Ministers of the six Mekong countries meet in Cambodia"),
    (
        "A new Plan of Action",
        "A Sub-Regional Plan of Action guides the next four years",
    ),
    (
        "Six countries, one process",
        "Cambodia, China, Lao PDR, Myanmar, Thailand and Viet Nam",
    ),
    (
        "Working together",
        "Governments, civil society, the UN and partners, side by side",
    ),
    ("UN-ACT", "Secretariat of the COMMIT Process, as UNIAP was since 2004"),
]


def _background():
    image = Image.new("RGB", SIZE, TOP)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    for y in range(height):
        mix = y / height
        colour = tuple(
            round(a + (b - a) * mix) for a, b in zip(TOP, BOTTOM, strict=True)
        )
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def _card(background, heading, line, number):
    image = background.copy()
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    big, small = ImageFont.load_default(size=40), ImageFont.load_default(size=20)
    draw.text(
        (width / 2, height / 2 - 30), heading, font=big, fill="white", anchor="mm"
    )
    draw.text(
        (width / 2, height / 2 + 25),
        line,
        font=small,
        fill=(220, 232, 245),
        anchor="mm",
    )
    # Where the film is: one dot per card, the current one filled.
    for index in range(len(CARDS)):
        x = width / 2 + (index - (len(CARDS) - 1) / 2) * 22
        box = [x - 5, height - 40, x + 5, height - 30]
        draw.ellipse(box, fill="white" if index == number else None, outline="white")
    return image


def _frames():
    background = _background()
    cards = [
        _card(background, heading, line, number)
        for number, (heading, line) in enumerate(CARDS)
    ]
    per_card = FPS * SECONDS_PER_CARD
    for number, card in enumerate(cards):
        for frame in range(per_card):
            if number and frame < FADE_FRAMES:
                yield Image.blend(
                    cards[number - 1], card, (frame + 1) / (FADE_FRAMES + 1)
                )
            else:
                yield card


def _timestamp(seconds):
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"


def write_captions(path):
    cues = ["WEBVTT", ""]
    for number, (heading, line) in enumerate(CARDS, start=1):
        start, end = (number - 1) * SECONDS_PER_CARD, number * SECONDS_PER_CARD
        cues += [
            str(number),
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{heading}: {line}",
            "",
        ]
    path.write_text("\n".join(cues), encoding="utf-8")


def write_video(path):
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        sys.exit(
            "ERROR: this script needs ffmpeg. Install it with `apt-get install ffmpeg`, then run it again."
        )
    command = [
        ffmpeg, "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{SIZE[0]}x{SIZE[1]}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-crf", "30",
        "-movflags", "+faststart", "-an", str(path),
    ]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE) as encoder:
        for frame in _frames():
            encoder.stdin.write(frame.tobytes())
        encoder.stdin.close()
        if encoder.wait():
            sys.exit(f"ERROR: ffmpeg failed (exit status {encoder.returncode}).")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write_captions(OUT / f"{NAME}.vtt")
    write_video(OUT / f"{NAME}.mp4")
    for suffix in ("mp4", "vtt"):
        path = OUT / f"{NAME}.{suffix}"
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
