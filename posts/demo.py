"""Load the demo content of the posts app: categories, the seed's ten posts, images."""

import hashlib
import io
import re
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from .demo_content import CATEGORIES, COMMENTS, POSTS
from .models import Category, Comment, Post

_NUMBERED = re.compile(r"^(\d+)\)\s*(.*)$", re.S)
PALETTES = [
    ((10, 90, 156), (7, 63, 110)),
    ((30, 110, 90), (14, 70, 60)),
    ((150, 60, 40), (100, 35, 25)),
    ((90, 70, 140), (55, 40, 95)),
    ((20, 100, 130), (10, 60, 90)),
]


def paragraphs_to_html(paragraphs):
    """Paragraphs as HTML; runs of "1) …" paragraphs become an ordered list."""
    html, items = [], []
    for paragraph in paragraphs:
        numbered = _NUMBERED.match(paragraph)
        if numbered:
            items.append(f"<li>{escape(numbered.group(2).rstrip(';'))}</li>")
            continue
        if items:
            html.append("<ol>" + "".join(items) + "</ol>")
            items = []
        html.append(f"<p>{escape(paragraph)}</p>")
    if items:
        html.append("<ol>" + "".join(items) + "</ol>")
    return "\n".join(html)


def make_cover_image(title, label, width=1200, height=800):
    """A generated, metadata-free JPEG: a coloured panel with the item's label."""
    seed = int(hashlib.sha256(title.encode()).hexdigest(), 16)
    top, bottom = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", (width, height), top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / height
        colour = tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom))
        draw.line([(0, y), (width, y)], fill=colour)
    for index in range(6):
        radius = 80 + (seed >> (index * 8)) % 220
        x = (seed >> (index * 5)) % width
        y = (seed >> (index * 7)) % height
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=(255, 255, 255), width=3)
    big = ImageFont.load_default(size=88)
    small = ImageFont.load_default(size=40)
    draw.rectangle([60, height - 260, width - 60, height - 60], fill=(255, 255, 255))
    draw.text((100, height - 240), "UN-ACT", font=big, fill=top)
    draw.text((100, height - 130), label, font=small, fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def load(stdout, author=None):
    categories = {}
    for name, description in CATEGORIES.items():
        categories[name], _created = Category.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )
    created = 0
    for item in POSTS:
        if Post.objects.filter(slug=item["slug"]).exists():
            continue
        post = Post(
            title=item["title"],
            slug=item["slug"],
            category=categories[item["category"]],
            body=paragraphs_to_html(item["paragraphs"]),
            external_url=item["external_url"],
            content_warning=item["content_warning"],
            allow_comments=item["allow_comments"],
            status=Post.Status.PUBLISHED,
            publish_at=timezone.make_aware(datetime.strptime(item["publish_at"], "%Y-%m-%d %H:%M")),
            author=author,
            image_alt=f"Illustration with the UN-ACT name and the label “{item['category']}”",
        )
        post.featured_image.save(
            f"{item['slug']}.jpg", ContentFile(make_cover_image(item["title"], item["category"])), save=False
        )
        post.save()
        post.tags.set(item["tags"])
        created += 1
    stdout.write(f"Posts: {created} created, {len(POSTS) - created} already there.")
    load_comments(stdout, author)


def load_comments(stdout, author=None):
    """Approved demo comments, added once per post (a post that has comments is left alone)."""
    added = 0
    for slug, threads in COMMENTS.items():
        post = Post.objects.filter(slug=slug).first()
        if post is None or post.comments.exists():
            continue
        when = post.publish_at
        for thread in threads:
            when += timedelta(hours=5)
            parent = Comment.objects.create(
                post=post, name=thread["name"], text=thread["text"], status=Comment.Status.APPROVED, created_at=when
            )
            added += 1
            for reply in thread.get("replies", []):
                when += timedelta(hours=3)
                Comment.objects.create(
                    post=post,
                    parent=parent,
                    name=reply["name"],
                    text=reply["text"],
                    status=Comment.Status.APPROVED,
                    is_staff_reply=reply.get("staff", False),
                    user=author if reply.get("staff") else None,
                    created_at=when,
                )
                added += 1
    stdout.write(f"Comments: {added} demo comments added.")
