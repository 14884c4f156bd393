from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from taggit.models import Tag, TaggedItem

from . import services
from .forms import CommentForm
from .models import Category, Comment, Image, Post
from .seo import organization_data, post_structured_data


def paginate(request, queryset, per_page=None, count=None):
    """The one way a list is paginated: bad or out-of-range numbers give a valid page.

    A caller that already knows how many items there are passes `count`, saving a query.
    """
    paginator = Paginator(queryset, per_page or settings.POSTS_PER_PAGE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def post_list_page(request, queryset, template, *, empty_message=None, **context):
    """A paginated list of post cards; with empty_message, no posts at all is a 404."""
    page = paginate(request, queryset.for_listing())
    if empty_message and not page.paginator.count:
        raise Http404(empty_message)
    return render(request, template, {"page_obj": page, "posts": page.object_list, **context})


@require_safe
def home(request):
    return post_list_page(
        request, Post.objects.published(), "posts/home.html", organization=organization_data()
    )


@require_safe
def post_list(request):
    return post_list_page(
        request, Post.objects.published(), "posts/post_list.html", heading=_("All posts")
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    return post_list_page(
        request,
        Post.objects.published().filter(category=category),
        "posts/post_list.html",
        heading=category.name,
        description=category.description,
        category=category,
    )


@require_safe
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    # A subquery, not a join with distinct(): DISTINCT over whole rows (bodies included)
    # cost a hundred milliseconds at a thousand posts.
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Post), tag=tag
    ).values("object_id")
    return post_list_page(
        request,
        Post.objects.published().filter(pk__in=tagged),
        "posts/post_list.html",
        # A tag used only by drafts must not reveal that it exists.
        empty_message=_("No posts are tagged with this."),
        heading=_("Tagged “%(tag)s”") % {"tag": tag.name},
        tag=tag,
    )


@require_safe
def year_archive(request, year):
    return post_list_page(
        request,
        Post.objects.published().filter(publish_at__year=int(year)),
        "posts/post_list.html",
        empty_message=_("No posts from %(year)s.") % {"year": year},
        heading=_("Posts from %(year)s") % {"year": year},
        year=year,
    )


def _visible_posts(request):
    """Visitors see published posts; staff who may edit posts also see drafts."""
    if request.user.is_authenticated and request.user.has_perm("posts.change_post"):
        return Post.objects.all(), True
    return Post.objects.published(), False


@require_safe
def post_detail(request, slug):
    queryset, is_preview_allowed = _visible_posts(request)
    post = get_object_or_404(queryset.select_related("category", "author"), slug=slug)
    published = Post.objects.published()
    tags = list(post.tags.all())
    sources = post.image_sources()
    share_image = sources[-1] if sources else None
    context = {
        "post": post,
        "tags": tags,
        "share_image": share_image,
        "structured_data": post_structured_data(post, tags, share_image),
        "previous_post": published.filter(publish_at__lt=post.publish_at).only("title", "slug").first()
        if post.is_published
        else None,
        "next_post": published.filter(publish_at__gt=post.publish_at)
        .order_by("publish_at")
        .only("title", "slug")
        .first()
        if post.is_published
        else None,
        "is_preview": not post.is_published,
        **comment_context(request, post),
    }
    response = render(request, "posts/post_detail.html", context)
    if context["is_preview"]:
        # Staff previews of drafts must never sit in any cache.
        add_never_cache_headers(response)
    return response


@permission_required("posts.view_image")
def image_browser(request):
    """The CKEditor file browser: staff pick an image from the library to insert."""
    page = paginate(request, Image.objects.all(), per_page=48)
    callback = request.GET.get("CKEditorFuncNum", "")[:6]
    response = render(
        request,
        "admin/posts/image_browser.html",
        {"page_obj": page, "callback": int(callback) if callback.isdigit() else 0},
    )
    add_never_cache_headers(response)
    return response


# Comments ---------------------------------------------------------------------------

OWN_PENDING_SESSION_KEY = "posts.own_pending_comments"


def comment_context(request, post, form=None, reply_to=None):
    """The comments of a post page: visible threads, the form, open or closed."""
    own_pending = request.session.get(OWN_PENDING_SESSION_KEY, []) if hasattr(request, "session") else []
    # Visitors see approved comments, and their own that wait (only in their session).
    visible = Q(status=Comment.Status.APPROVED) | Q(pk__in=own_pending, status=Comment.Status.PENDING)
    # One query for threads and replies alike, so the page costs the same for any number.
    visible_comments = list(
        post.comments.filter(visible).filter(
            Q(parent__isnull=True) | Q(parent__status=Comment.Status.APPROVED)
        )
    )
    comments = [comment for comment in visible_comments if comment.parent_id is None]
    threads = {comment.pk: comment for comment in comments}
    for comment in comments:
        comment.visible_replies = []
    for reply in visible_comments:
        if reply.parent_id in threads:
            threads[reply.parent_id].visible_replies.append(reply)
    comments_open = services.comments_are_open(post)
    if form is None and comments_open:
        if reply_to is None and request.GET.get("reply_to", "").isdigit():
            reply_to = next(
                (c for c in comments if c.pk == int(request.GET["reply_to"]) and c.status == Comment.Status.APPROVED),
                None,
            )
        initial = {"parent": reply_to.pk if reply_to else None}
        if request.user.is_authenticated and request.user.is_staff:
            initial["name"] = _("%(site)s team") % {"site": settings.SITE_NAME}
        form = CommentForm(post=post, initial=initial)
    elif form is not None:
        reply_to = reply_to or form.parent_comment
    approved = [c for c in comments if c.status == Comment.Status.APPROVED]
    return {
        "comments": comments,
        "comment_count": len(approved) + sum(
            1 for c in approved for r in c.visible_replies if r.status == Comment.Status.APPROVED
        ),
        "comment_form": form,
        "comments_open": comments_open,
        "comments_close_at": services.comments_close_at(post),
        "reply_to": reply_to,
        "retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
    }


def _comment_page(request, post, form, status, **extra):
    context = {
        "post": post,
        "tags": list(post.tags.all()),
        "is_preview": False,
        **comment_context(request, post, form=form),
        **extra,
    }
    response = render(request, "posts/post_detail.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_POST
def comment_create(request, slug):
    post = get_object_or_404(Post.objects.published().select_related("category"), slug=slug)
    if not services.comments_are_open(post):
        return _comment_page(
            request, post, None, 403, refused_text=request.POST.get("text", "")[:5000]
        )
    form = CommentForm(request.POST, post=post)
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
    )
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, _("Thank you. Your comment is published."))
        return redirect(comment)
    # Pending and spam get the same answer, so spammers learn nothing from it.
    own_pending = request.session.get(OWN_PENDING_SESSION_KEY, [])
    if comment.status == Comment.Status.PENDING:
        request.session[OWN_PENDING_SESSION_KEY] = (own_pending + [comment.pk])[-20:]
    messages.success(
        request,
        _("Thank you. Your comment is awaiting moderation and will appear once a moderator approves it."),
    )
    return redirect(f"{post.get_absolute_url()}#comments")
