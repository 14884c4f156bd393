"""What every page's frame shows from the pages app: the header and footer menus, and
the front page's introduction and featured item.

They are built together (two or three queries) whenever the content version of the
page cache turns over (unact.pagecache.content_changed: any save visitors can see, any
admin POST, bulk publishing), and kept in the shared cache until the next change. A
page request reads them with one cache get, and no query; it builds them only when the
cache has lost them, or when a scheduled menu page or featured item's time has come.
A featured post or publication is kept with its published language editions; each
page shows the one in its language, as the lists do (pages_tags.featured_shown).

Menu pages and the featured item are published items by Publishable's own rule
(`is_published`, the instance form of `published()`): scheduled and expired ones are
read too, so the frame knows when it must be built again.
"""

import time
import uuid

from django.core.cache import cache
from django.db.models import Q

from unact.editions import group_editions

# Named anew whenever the frame's shape changes: a frame kept by the previous release
# in the shared cache is then never read.
FRAME_KEY = "pages:frame:2"
HELP_PAGE_PATH = "get-help"


def _changes(item):
    """The future moments at which this item appears or disappears, as timestamps."""
    now = time.time()
    moments = [item.published_from, item.unpublish_at]
    return [
        moment.timestamp()
        for moment in moments
        if moment is not None and moment.timestamp() > now
    ]


def _featured(front):
    item = front.featured_item if front else None
    if item is None:
        return None, []
    kind = item._meta.model_name
    # A post or publication is featured in each language as the lists show it: its
    # edition in the page's language where there is one (featured_shown picks it).
    editions = [item] if kind == "page" else group_editions(item)
    changes = [moment for edition in editions for moment in _changes(edition)]
    if not item.is_published:
        return None, changes
    featured = {
        "kind": kind,
        "url_name": _URL_NAMES[kind],
        "language": getattr(item, "language", None),
        "editions": {
            getattr(edition, "language", None): {
                "title": edition.title,
                "summary": edition.summary,
                "url_arg": edition.path if kind == "page" else edition.slug,
            }
            for edition in editions
            if edition.pk == item.pk or edition.is_published
        },
    }
    return featured, changes


_URL_NAMES = {
    "post": "posts:detail",
    "publication": "publications:detail",
    "page": "page",
}


def site_frame_build():
    """The menus, the introduction and the featured item (two queries, and one for
    the editions of a featured post or publication)."""
    from .models import FrontPage, Page

    pages = list(
        Page.objects.not_expired()
        .filter(Q(in_main_menu=True) | Q(in_footer=True) | Q(path=HELP_PAGE_PATH))
        .only(
            "title", "menu_label", "path", "in_main_menu", "in_footer", "menu_order",
            "status", "publish_at", "unpublish_at",
        )
        .order_by("menu_order", "title", "pk")
    )  # fmt: skip
    front = (
        FrontPage.objects.select_related(
            "featured_post", "featured_publication", "featured_page"
        )
        .order_by("pk")
        .first()
    )
    changes = [moment for page in pages for moment in _changes(page)]
    visible = [page for page in pages if page.is_published]
    featured, featured_changes = _featured(front)
    changes += featured_changes

    def menu(flag):
        return [
            {
                "label": page.menu_title,
                "path": page.path,
                "section": f"page:{page.path}",
            }
            for page in visible
            if getattr(page, flag)
        ]

    return {
        "key": uuid.uuid4().hex,
        "main": menu("in_main_menu"),
        "footer": menu("in_footer"),
        "help_path": HELP_PAGE_PATH
        if any(page.path == HELP_PAGE_PATH for page in visible)
        else "",
        "intro": front.intro if front else "",
        "featured": featured,
        "next_change_at": min(changes) if changes else None,
    }


def site_frame_refresh():
    """Build the frame and keep it in the shared cache; returns it."""
    frame = site_frame_build()
    try:
        cache.set(FRAME_KEY, frame, timeout=None)
    except Exception:  # noqa: BLE001 - the cache being down must never break a save
        pass
    return frame


def site_frame_forget():
    """Drop the kept frame (a migration's change: the tables may still be changing)."""
    try:
        cache.delete(FRAME_KEY)
    except Exception:  # noqa: BLE001
        pass


def site_frame():
    """The frame as kept, built again when it is missing or a scheduled change is due."""
    try:
        frame = cache.get(FRAME_KEY)
    except Exception:  # noqa: BLE001 - the cache being down: build it for this request
        frame = None
    if frame is None or (
        frame["next_change_at"] is not None and time.time() >= frame["next_change_at"]
    ):
        frame = site_frame_refresh()
    return frame
