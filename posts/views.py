import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from taggit.models import Tag

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from unact import pagecache
from unact.drafts import draft_apply, draft_of
from unact.editions import edition_alternates, other_editions
from unact.pagination import paginate
from unact.publicforms import public_form
from unact.security import is_cross_site
from unact.seo import organization_data
from unact.tagging import tags_named

from . import services
from .forms import CommentForm, comment_form_token
from .models import (
    COMMENT_PAGE_PARAM,
    Category,
    Comment,
    Image,
    Post,
    comment_excerpt,
    comments_page_query,
    comments_page_url,
    comments_per_page,
    post_tags,
)
from .seo import post_structured_data


def published_posts():
    """The published posts a page in the active language lists (its editions, and
    English where a post has none in it)."""
    return Post.objects.published().for_language(get_language())


def post_list_page(request, posts, template, *, empty_message=None, **context):
    """A page of cards of these published posts, newest first; with empty_message, no
    posts at all is a 404. Two queries: the count and the page."""
    page = paginate(request, posts.for_cards())
    if empty_message and not page.paginator.count:
        raise Http404(empty_message)
    return render(
        request, template, {"page_obj": page, "posts": page.object_list, **context}
    )


@require_safe
def home(request):
    return post_list_page(
        request,
        published_posts(),
        "posts/home.html",
        organization=organization_data(),
    )


@require_safe
def post_list(request):
    return post_list_page(
        request,
        published_posts(),
        "posts/post_list.html",
        heading=_("All posts"),
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    return post_list_page(
        request,
        published_posts().filter(category=category),
        "posts/post_list.html",
        heading=category.name,
        description=category.description,
        category=category,
    )


@require_safe
def tag_detail(request, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404(_("No posts are tagged with this."))
    return post_list_page(
        request,
        published_posts().filter(tags=tag),
        "posts/post_list.html",
        # A tag used only by drafts must not reveal that it exists.
        empty_message=_("No posts are tagged with this."),
        heading=_("Tagged “%(tag)s”") % {"tag": tag.name},
        tag=tag,
    )


@require_safe
def year_archive(request, year):
    start = timezone.make_aware(datetime(int(year), 1, 1))
    end = timezone.make_aware(datetime(int(year) + 1, 1, 1))
    return post_list_page(
        request,
        published_posts().filter(publish_at__gte=start, publish_at__lt=end),
        "posts/post_list.html",
        empty_message=_("No posts from %(year)s.") % {"year": year},
        heading=_("Posts from %(year)s") % {"year": year},
        year=year,
    )


def _may_preview(request):
    """Visitors see published posts; staff who may edit posts also see drafts."""
    return request.user.is_authenticated and request.user.has_perm("posts.change_post")


def _neighbours(post):
    """The published posts just before and just after this one (title and slug), or None."""
    if not post.is_published:
        return None, None
    # Not the post itself: a preview of its draft of changes may move its time.
    published = published_posts().exclude(pk=post.pk).only("title", "slug", "language")
    older = (
        published.filter(publish_at__lt=post.publish_at)
        .order_by("-publish_at", "-id")
        .first()
    )
    newer = (
        published.filter(publish_at__gt=post.publish_at)
        .order_by("publish_at", "id")
        .first()
    )
    return older, newer


@require_safe
def post_detail(request, slug):
    # The post and the other editions of its group, in one query.
    editions = list(Post.objects.select_related("category").group(slug))
    post = next((edition for edition in editions if edition.slug == slug), None)
    if post is None or not (post.is_published or _may_preview(request)):
        raise Http404(_("No post is published at this address."))
    if post.wrong_prefix(get_language()):
        return HttpResponsePermanentRedirect(post.get_absolute_url())
    return _post_page(request, post, editions, tags=post_tags(post))


def _post_page(request, post, editions, *, tags, changes_preview=False):
    sources = post.image_sources()
    share_image = sources[-1] if sources else None
    previous_post, next_post = _neighbours(post)
    context = {
        "post": post,
        "tags": tags,
        "share_image": share_image,
        "structured_data": post_structured_data(post, tags, share_image),
        "previous_post": previous_post,
        "next_post": next_post,
        "is_preview": changes_preview or not post.is_published,
        "is_changes_preview": changes_preview,
        "other_editions": other_editions(post, editions),
        "edition_alternates": edition_alternates(post, editions),
        **comment_context(request, post),
    }
    response = render(request, "posts/post_detail.html", context)
    if context["is_preview"]:
        # Staff previews of drafts must never sit in any cache.
        add_never_cache_headers(response)
    return response


@require_safe
def post_changes_preview(request, pk):
    """The post's page with its draft of changes applied (unact/drafts.py), as it will
    look once published: for staff who may edit posts, never cached."""
    if not _may_preview(request):
        raise Http404(_("No post is published at this address."))
    post = get_object_or_404(Post.objects.select_related("category"), pk=pk)
    draft = draft_of(post)
    if draft is None:
        messages.info(
            request, _("This post has no draft of changes: here is the live version.")
        )
        return redirect(post)
    editions = list(Post.objects.select_related("category").group(post.slug))
    _m2m, tag_names = draft_apply(item=post, draft=draft)
    editions = [post if edition.pk == post.pk else edition for edition in editions]
    tags = post_tags(post) if tag_names is None else tags_named(tag_names)
    return _post_page(request, post, editions, tags=tags, changes_preview=True)


@permission_required("posts.view_image")
def image_browser(request):
    """The CKEditor file browser: staff pick an image from the library to insert."""
    callback = request.GET.get("CKEditorFuncNum", "0")
    # ASCII digits only: str.isdigit() also accepts "¹²³", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,6}", callback):
        return HttpResponseBadRequest(
            "CKEditorFuncNum must be a number.", content_type="text/plain"
        )
    page = paginate(request, Image.objects.all(), per_page=48)
    response = render(
        request,
        "admin/posts/image_browser.html",
        {"page_obj": page, "callback": int(callback)},
    )
    add_never_cache_headers(response)
    return response


# Comments ---------------------------------------------------------------------------

OWN_PENDING_SESSION_KEY = "posts.own_pending_comments"


def _own_pending(request):
    """Ids of this visitor's comments that wait for a moderator (shown only to them)."""
    return (
        request.session.get(OWN_PENDING_SESSION_KEY, [])
        if hasattr(request, "session")
        else []
    )


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):  # missing, not a number, or thousands of digits
        return None
    return number if number > 0 else None


class CommentPage:
    """One page of a post's comment threads, oldest first; page 1 is the post's own address.

    The threads are read when first used (number, comments, ...): a page whose threads
    and form come from {% cache %} reads none.
    """

    def __init__(self, post, own_pending, requested_page, per_page):
        self.post_url = post.get_absolute_url()
        self._arguments = (post, own_pending, requested_page, per_page)

    @cached_property
    def _threads(self):
        return _comment_threads(*self._arguments)

    thread_ids = property(lambda self: self._threads[0])
    number = property(lambda self: self._threads[1])
    num_pages = property(lambda self: self._threads[2])
    comments = property(lambda self: self._threads[3])
    rows = property(lambda self: self._threads[4])

    def url(self, number, fragment="comments"):
        return comments_page_url(self.post_url, number, fragment)

    @property
    def query(self):
        """The query string that keeps this page, for links and the form's address."""
        return comments_page_query(self.number)

    @property
    def previous_url(self):
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self):
        return self.url(self.number + 1) if self.number < self.num_pages else None


@dataclass(slots=True)
class ShownComment:
    """What a post page shows of a comment. The page reads comments as plain values:
    fifty model instances cost more than the query that fetched them."""

    FIELDS = (
        "pk",
        "parent_id",
        "name",
        "text",
        "status",
        "is_staff_reply",
        "created_at",
    )

    pk: int
    parent_id: int | None
    name: str
    text: str
    status: str
    is_staff_reply: bool
    created_at: datetime
    visible_replies: list = field(default_factory=list)

    @property
    def excerpt(self):
        return comment_excerpt(self.text)


# Up to this many visible comments on a post, one query reads them all (as values, a
# few microseconds a row): cheaper than counting threads and slicing a page in SQL, which
# cost three times as much on a post with 200. Beyond it, the page's threads are read alone.
COMMENTS_READ_AT_ONCE = 500


def _comment_threads(post, own_pending, requested_page, per_page):
    """The ids of the post's visible threads in order, the page number shown (the one
    asked for, within range), the number of pages, that page's threads (ShownComments
    with their replies) and the rows read."""

    def visible():
        return Comment.objects.filter(post_id=post.pk).visible_to(own_pending)

    rows, thread_ids = [], []
    if post.comment_count + len(own_pending) > COMMENTS_READ_AT_ONCE:
        thread_ids = list(visible().threads().values_list("pk", flat=True))
    elif own_pending or post.comment_count:
        rows = list(visible().values_list(*ShownComment.FIELDS))
    if rows:
        thread_ids = [row[0] for row in rows if row[1] is None]
    num_pages = max(1, -(-len(thread_ids) // per_page))
    number = min(requested_page, num_pages)
    page_ids = thread_ids[(number - 1) * per_page : number * per_page]
    if page_ids and not rows:
        rows = list(
            Comment.objects.filter(Q(pk__in=page_ids) | Q(parent_id__in=page_ids))
            .visible_to(own_pending)
            .values_list(*ShownComment.FIELDS)
        )
    on_page = set(page_ids)
    threads = {row[0]: ShownComment(*row) for row in rows if row[0] in on_page}
    for row in rows:
        thread = threads.get(row[1])
        # Replies show under approved comments only (not under a visitor's own waiting one).
        if thread is not None and thread.status == Comment.Status.APPROVED:
            thread.visible_replies.append(ShownComment(*row))
    return thread_ids, number, num_pages, [threads[pk] for pk in page_ids], rows


def comment_context(request, post, form=None, reply_to=None):
    """The comments of a post page: one page of visible threads, the form, open or closed.

    Pages hold whole threads (a comment and its replies), oldest first, as WordPress's
    "break comments into pages" does; the heading counts every visible comment
    (Post.comment_count). One or two queries, however many comments there are.
    """
    own_pending = _own_pending(request)
    per_page = comments_per_page()
    requested = _positive_int(request.GET.get(COMMENT_PAGE_PARAM)) or 1
    page = CommentPage(post, own_pending, requested, per_page)

    comments_open = services.comments_are_open(post)
    if form is None and comments_open:
        reply_to_pk = (
            reply_to.pk if reply_to else _positive_int(request.GET.get("reply_to"))
        )
        reply_to = None
        # Visible: on this page or another.
        if reply_to_pk is not None and reply_to_pk in page.thread_ids:
            reply_to = next((c for c in page.comments if c.pk == reply_to_pk), None)
            if reply_to is None:
                row = next((row for row in page.rows if row[0] == reply_to_pk), None)
                reply_to = (
                    ShownComment(*row)
                    if row
                    else Comment.objects.filter(pk=reply_to_pk)
                    .only(*ShownComment.FIELDS[2:])
                    .first()
                )
            if reply_to is not None and reply_to.status != Comment.Status.APPROVED:
                reply_to = None  # a visitor's own waiting comment takes no replies yet
        initial = {"parent": reply_to.pk if reply_to else None}
        if request.user.is_authenticated and request.user.is_staff:
            initial["name"] = _("%(site)s team") % {"site": settings.SITE_NAME}
        form = CommentForm(post=post, initial=initial)
        if not request.user.is_authenticated:
            # This page may be cached and shown to anyone: its form gets its ticket when
            # it is used (comment_ticket), or, without JavaScript, on a second step.
            form.is_cacheable = True
    elif form is not None:
        reply_to = reply_to or form.parent_comment
    reply_to_url = None
    if reply_to is not None:
        reply_to_url = f"#comment-{reply_to.pk}"
        thread_ids = page.thread_ids
        if reply_to.pk in thread_ids and not any(
            c.pk == reply_to.pk for c in page.comments
        ):
            reply_to_url = page.url(
                thread_ids.index(reply_to.pk) // per_page + 1, f"comment-{reply_to.pk}"
            )
    # The threads' markup is the same for everyone while the content version stands (a
    # comment approved, edited or removed replaces it), and so is a form with no reply,
    # no errors and no token: {% cache %} keeps them, keyed by the page asked for, and
    # the threads are then not read at all. Not for a visitor whose own waiting comments
    # are on the page, nor with no version to key by.
    version = None if own_pending else pagecache.content_version()
    cache_key = (
        f"{post.pk}:{requested}:{comments_open}:{translation.get_language()}:{version}"
        if version
        else None
    )
    plain_form = form is not None and form.is_cacheable and reply_to is None
    return {
        # Without waiting comments of the visitor's own, a post has visible threads when
        # it has visible comments (replies show only under approved comments).
        "has_comments": bool(page.comments)
        if cache_key is None
        else post.comment_count > 0,
        "comment_threads_key": cache_key,
        "comment_form_key": cache_key if plain_form else None,
        "comment_count": post.comment_count,
        "comment_page": page,
        "comment_form": form,
        "comments_open": comments_open,
        "comments_close_at": services.comments_close_at(post),
        "reply_to": reply_to,
        "reply_to_url": reply_to_url,
        "retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
    }


def _comment_page(request, post, form, status, **extra):
    context = {
        "post": post,
        "tags": post_tags(post),
        "is_preview": False,
        **comment_context(request, post, form=form),
        **extra,
    }
    response = render(request, "posts/post_detail.html", context, status=status)
    add_never_cache_headers(response)
    return response


def _comment_target(request, slug):
    """(post, closed): the published post a comment is sent to, and when its comments are
    closed the answer to give (the post page, the typed text kept to copy), else None."""
    post = get_object_or_404(
        Post.objects.published().select_related("category"), slug=slug
    )
    if services.comments_are_open(post):
        return post, None
    # The comments section says so even on a post that shows none (no comments yet).
    return post, _comment_page(
        request,
        post,
        None,
        403,
        comments_refused=True,
        refused_text=request.POST.get("text", "")[:5000],
    )


def comment_refused_for_token(request, slug):
    """A comment whose CSRF token failed (unact.views.csrf_failure): its browser did not
    send back the cookie that came with the form (cookies blocked or cleared). The post
    page again, the typed text in the form, what to do, and a fresh token to send it with.
    """
    post, closed = _comment_target(request, slug)
    if closed:
        return closed
    form = CommentForm(request.POST, post=post)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Your comment was not sent: your browser did not send back the security cookie "
            "that came with this page (cookies may be blocked or cleared for this site). "
            "Your text is still here: please send it again. If this keeps happening, allow "
            "cookies for this site."
        ),
    )
    return _comment_page(request, post, form, 403)


@never_cache
@require_safe
def comment_ticket(request, slug):
    """A fresh ticket (the form's signed "issued" time) for a comment form on a cached
    page, which carries none: static/js/site.js fetches it when the form is first used."""
    post = get_object_or_404(Post.objects.published().only("pk"), slug=slug)
    return HttpResponse(comment_form_token(post.pk), content_type="text/plain")


@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def comment_create(request, slug):
    if request.method != "POST":
        # The address a form with errors was sent to, reloaded or shared: back to the form
        # on the post page (the same page of comments).
        post = get_object_or_404(Post.objects.published(), slug=slug)
        page = _positive_int(request.GET.get(COMMENT_PAGE_PARAM)) or 1
        return redirect(
            comments_page_url(post.get_absolute_url(), page, "comment-form")
        )
    post, closed = _comment_target(request, slug)
    if closed:
        return closed
    form = CommentForm(request.POST, post=post)
    if is_cross_site(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "This comment was sent from another web site, so it was not saved. To comment, use the form below."
            ),
        )
        return _comment_page(request, post, form, 403)
    if not form.is_valid():
        return _comment_page(request, post, form, 400)
    ip_address = services.client_ip(request)
    is_staff = request.user.is_authenticated and request.user.is_staff
    if not is_staff and not services.comment_rate_limit_consume(ip_address=ip_address):
        form.add_error(
            None,
            _(
                "You have sent several comments in a short time. Please wait %(minutes)d "
                "minutes and send this one again; your text is still here."
            )
            % {"minutes": max(1, settings.COMMENTS_RATE_LIMIT_SECONDS // 60)},
        )
        response = _comment_page(request, post, form, 429)
        response["Retry-After"] = str(settings.COMMENTS_RATE_LIMIT_SECONDS)
        return response
    comment = services.comment_create(
        post=post,
        parent=form.cleaned_data["parent"],
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        text=form.cleaned_data["text"],
        has_reply_notice=form.cleaned_data["has_reply_notice"],
        ip_address=ip_address,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        user=request.user,
        language=get_language(),
    )
    own_pending = _own_pending(request)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, _("Thank you. Your comment is published."))
        # The page of the comments that shows it, as this visitor sees them.
        number = comment.page_number(own_pending)
        return redirect(
            comments_page_url(post.get_absolute_url(), number, f"comment-{comment.pk}")
        )
    # Pending and spam get the same answer, so spammers learn nothing from it: the page
    # the comment is on (or would be on), at the comments.
    if comment.status == Comment.Status.PENDING and comment.pk not in own_pending:
        own_pending = (own_pending + [comment.pk])[-20:]
        request.session[OWN_PENDING_SESSION_KEY] = own_pending
    messages.success(
        request,
        _(
            "Thank you. Your comment is awaiting moderation and will appear once a moderator approves it."
        ),
    )
    return redirect(
        comments_page_url(post.get_absolute_url(), comment.page_number(own_pending))
    )
