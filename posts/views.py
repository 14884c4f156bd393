from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from taggit.models import Tag

from .models import Category, Image, Post


def paginate(request, queryset, per_page=None):
    """The one way a list is paginated: bad or out-of-range numbers give a valid page."""
    paginator = Paginator(queryset, per_page or settings.POSTS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def post_list_page(request, queryset, template, **context):
    page = paginate(request, queryset.for_listing())
    return render(request, template, {"page_obj": page, "posts": page.object_list, **context})


@require_safe
def home(request):
    return post_list_page(request, Post.objects.published(), "posts/home.html")


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
    posts = Post.objects.published().filter(tags__slug=tag.slug).distinct()
    if not posts.exists():
        # A tag used only by drafts must not reveal that it exists.
        raise Http404(_("No posts are tagged with this."))
    return post_list_page(
        request,
        posts,
        "posts/post_list.html",
        heading=_("Tagged “%(tag)s”") % {"tag": tag.name},
        tag=tag,
    )


@require_safe
def year_archive(request, year):
    posts = Post.objects.published().filter(publish_at__year=int(year))
    if not posts.exists():
        raise Http404(_("No posts from %(year)s.") % {"year": year})
    return post_list_page(
        request,
        posts,
        "posts/post_list.html",
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
    context = {
        "post": post,
        "tags": list(post.tags.all()),
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
