"""Load the demo content of the posts app: categories, the seed's ten posts, images."""

import re
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.text import slugify

from unact.demo_images import make_cover_image
from unact.editions import edition_translate

from .demo_content import CATEGORIES, COMMENTS, EDITIONS, POSTS
from .models import Category, Comment, Post

_NUMBERED = re.compile(r"^(\d+)\)\s*(.*)$", re.S)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s][^)]*)\)")


def _link_target(target):
    """An address as written (http…, #…), or the URL of a URL name and its arguments."""
    if target.startswith(("http://", "https://", "#", "/")):
        return target
    name, *args = target.split()
    return reverse(name, args=args)


def _text_html(text):
    """Text escaped, with its [text](target) links as <a> (demo_content.py)."""
    html, position = [], 0
    for match in _LINK.finditer(text):
        html.append(escape(text[position : match.start()]))
        html.append(
            format_html(
                '<a href="{}">{}</a>', _link_target(match.group(2)), match.group(1)
            )
        )
        position = match.end()
    html.append(escape(text[position:]))
    return "".join(html)


def paragraphs_to_html(paragraphs):
    """Paragraphs as HTML; runs of "1) …" paragraphs become an ordered list."""
    html, items = [], []
    for paragraph in paragraphs:
        numbered = _NUMBERED.match(paragraph)
        if numbered:
            items.append(f"<li>{_text_html(numbered.group(2).rstrip(';'))}</li>")
            continue
        if items:
            html.append("<ol>" + "".join(items) + "</ol>")
            items = []
        html.append(f"<p>{_text_html(paragraph)}</p>")
    if items:
        html.append("<ol>" + "".join(items) + "</ol>")
    return "\n".join(html)


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
            publish_at=timezone.make_aware(
                datetime.strptime(item["publish_at"], "%Y-%m-%d %H:%M")
            ),
            author=author,
            image_alt=f"Illustration with the UN-ACT name and the label “{item['category']}”",
        )
        post.featured_image.save(
            f"{item['slug']}.jpg",
            ContentFile(make_cover_image(item["title"], item["category"])),
            save=False,
        )
        post.save()
        post.tags.set(item["tags"])
        created += 1
    stdout.write(f"Posts: {created} created, {len(POSTS) - created} already there.")
    load_editions(stdout)
    load_comments(stdout, author)


def load_editions(stdout):
    """The Thai and Khmer editions of two seed posts (demo_content.EDITIONS), made as
    an editor makes them ("Add translation"), translated and published; once each."""
    added = 0
    for slug, editions in EDITIONS.items():
        original = Post.objects.filter(slug=slug, language="en").first()
        if original is None:
            continue
        for language, item in editions.items():
            if Post.objects.filter(
                translation_key=original.translation_key, language=language
            ).exists():
                continue
            edition = edition_translate(source=original, language=language)
            edition.title, edition.slug = item["title"], item["slug"]
            edition.image_alt = item["image_alt"]
            with translation.override(language):  # links under the edition's prefix
                edition.body = paragraphs_to_html(item["paragraphs"])
            edition.summary = ""  # taken from the translated body
            edition.status = Post.Status.PUBLISHED
            edition.publish_at = original.publish_at
            edition.save()
            added += 1
    stdout.write(f"Post editions: {added} added.")


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
                post=post,
                name=thread["name"],
                text=thread["text"],
                status=Comment.Status.APPROVED,
                created_at=when,
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
