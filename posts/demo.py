"""Load the demo content of the posts app: categories, the seed's ten posts, images."""

import re
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.text import slugify

from unact.demo_images import make_cover_image

from .demo_content import CATEGORIES, COMMENTS, POSTS
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
