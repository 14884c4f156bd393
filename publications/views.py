from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from posts.models import Post
from unact.drafts import draft_apply, draft_of
from unact.editions import edition_alternates, other_editions
from unact.pagination import paginate
from unact.tagging import tags_named

from .filters import FilteredPublications, PublicationFilterForm, filter_query
from .models import Country, Publication
from .seo import publication_structured_data
from .services import publication_count_download


@require_safe
def publication_list(request):
    form = PublicationFilterForm(request.GET)
    filters = form.active_filters()
    publications = FilteredPublications(filters)
    facets, total = publications.facet_options()
    page = paginate(
        request,
        publications.page_queryset(),
        per_page=settings.PUBLICATIONS_PER_PAGE,
        count=total,
    )
    context = {
        "page_obj": page,
        "publications": page.object_list,
        "facets": facets,
        "filters": filters,
        "active_filters": [
            {
                "name": name,
                "label": _active_label(name, value, facets),
                "remove_query": filter_query(filters, **{name: None}),
            }
            for name, value in filters.items()
        ],
        "query_prefix": filter_query(filters),
    }
    return render(request, "publications/publication_list.html", context)


def _active_label(name, value, facets):
    for option in facets[name]:
        if option["value"] == str(value):
            return option["label"]
    return str(value)


def _visible_publications(request):
    """Visitors see published publications; staff who may edit them also see drafts."""
    if request.user.is_authenticated and request.user.has_perm(
        "publications.change_publication"
    ):
        return Publication.objects.defer("document_text"), True
    return Publication.objects.published().defer("document_text"), False


@require_safe
def publication_detail(request, slug):
    queryset, _can_preview = _visible_publications(request)
    # The publication and the other editions of its group, in one query.
    editions = list(queryset.group(slug).prefetch_related("countries", "tags"))
    publication = next((item for item in editions if item.slug == slug), None)
    if publication is None:
        raise Http404(_("No publication is published at this address."))
    if publication.wrong_prefix(get_language()):
        return HttpResponsePermanentRedirect(publication.get_absolute_url())
    return _publication_page(
        request,
        publication,
        editions,
        countries=list(publication.countries.all()),
        tags=list(publication.tags.all()),
        related_posts=publication.related_posts.published(),
    )


def _publication_page(
    request,
    publication,
    editions,
    *,
    countries,
    tags,
    related_posts,
    changes_preview=False,
):
    covers = publication.cover_sources()
    share_image = covers[-1] if covers else None
    context = {
        "publication": publication,
        "countries": countries,
        "tags": tags,
        "share_image": share_image,
        "structured_data": publication_structured_data(
            publication, tags, countries, share_image
        ),
        "related_posts": list(related_posts.select_related("category")),
        "is_preview": changes_preview or not publication.is_published,
        "is_changes_preview": changes_preview,
        "other_editions": other_editions(publication, editions),
        "edition_alternates": edition_alternates(publication, editions),
    }
    response = render(request, "publications/publication_detail.html", context)
    if context["is_preview"]:
        # Staff previews of drafts must never sit in any cache.
        add_never_cache_headers(response)
    return response


@require_safe
def publication_changes_preview(request, pk):
    """The publication's page with its draft of changes applied (unact/drafts.py), as
    it will look once published: for staff who may edit publications, never cached."""
    queryset, can_preview = _visible_publications(request)
    if not can_preview:
        raise Http404(_("No publication is published at this address."))
    publication = get_object_or_404(queryset, pk=pk)
    draft = draft_of(publication)
    if draft is None:
        messages.info(
            request,
            _("This publication has no draft of changes: here is the live version."),
        )
        return redirect(publication)
    editions = list(queryset.group(publication.slug))
    m2m, tag_names = draft_apply(item=publication, draft=draft)
    editions = [
        publication if edition.pk == publication.pk else edition for edition in editions
    ]
    countries = (
        list(Country.objects.filter(pk__in=m2m["countries"]))
        if "countries" in m2m
        else list(publication.countries.all())
    )
    related_posts = (
        Post.objects.published().filter(pk__in=m2m["related_posts"])
        if "related_posts" in m2m
        else publication.related_posts.published()
    )
    return _publication_page(
        request,
        publication,
        editions,
        countries=countries,
        tags=list(publication.tags.all())
        if tag_names is None
        else tags_named(tag_names),
        related_posts=related_posts,
        changes_preview=True,
    )


def _is_new_download(request):
    """A GET that asks for the file from its start: not a HEAD (a link checker, a
    crawler's probe) and not the rest of a download already counted (a Range)."""
    if request.method != "GET":
        return False
    requested = request.headers.get("Range", "").replace(" ", "")
    return not requested or requested.startswith("bytes=0-")


@require_safe
def publication_download(request, slug):
    """Count a download, then send the PDF as an attachment (or redirect to the external copy).

    The whole file is sent to every GET (Accept-Ranges: none): a request for a later
    part of the file is answered but not counted again.
    """
    queryset, _can_preview = _visible_publications(request)
    publication = get_object_or_404(queryset, slug=slug)
    if publication.document:
        try:
            handle = publication.document.open("rb")
        except FileNotFoundError as error:
            raise Http404(
                _("This file is missing. Please tell us so we can restore it.")
            ) from error
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=publication.download_filename(),
            content_type="application/pdf",
        )
        response["Accept-Ranges"] = "none"
    elif publication.external_url:
        response = HttpResponseRedirect(publication.external_url)
    else:
        raise Http404(_("This publication has nothing to download."))
    if not publication.is_published:
        # Staff previews of drafts do not count as downloads.
        add_never_cache_headers(response)
    elif _is_new_download(request):
        publication_count_download(publication=publication)
    response["X-Content-Type-Options"] = "nosniff"
    return response
