from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from publications.models import Publication
from unact import security
from unact.i18n import content_lang_attr
from unact.pagination import paginate
from unact.redirects import local_path
from unact.security import is_cross_site

from . import services
from .forms import LanguageForm, SignupForm
from .models import Campaign, CampaignEdition, Subscriber
from .seo import campaign_structured_data
from .tokens import InvalidToken, read_language_token, read_unsubscribe_token

SIGNUP_FRAGMENT = "includes/newsletter_signup.html"


def client_ip(request):
    """The visitor's address, through the trusted proxies (TRUSTED_PROXY_COUNT), as the
    comments' limit and the log-in lock-out read it; None when there is none."""
    return security.client_ip(request) or None


def is_fetch(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _source(request):
    return "page" if request.POST.get("source") == "page" else "footer"


def _in_page_language(campaigns):
    """The campaigns with the edition this page's readers get: `campaign.shown` is
    the edition in the page's language where there is one, else the campaign itself
    (English), and `campaign.shown_lang` the `lang` attribute it then needs. One query
    for all the editions (none on English pages)."""
    language = translation.get_language()
    campaigns = list(campaigns)
    editions = {}
    if language != settings.LANGUAGE_CODE and campaigns:
        for edition in CampaignEdition.objects.filter(
            campaign__in=[campaign.pk for campaign in campaigns], language=language
        ).only("campaign_id", "language", "subject", "preheader", "body"):
            editions[edition.campaign_id] = edition
    for campaign in campaigns:
        campaign.shown = editions.get(campaign.pk, campaign)
        campaign.shown_lang = "" if campaign.pk in editions else content_lang_attr()
    return campaigns


@require_safe
def newsletter_page(request):
    latest = _in_page_language(
        Campaign.objects.archived().only("subject", "slug", "preheader", "sent_at")[:3]
    )
    form = SignupForm(
        initial={"source": Subscriber.Source.PAGE}, prefix_id="page-signup"
    )
    return render(
        request,
        "newsletter/newsletter_page.html",
        {"form": form, "latest_campaigns": latest},
    )


# No CSRF token: the footer form on every page would otherwise give each reader a cookie
# and cost every page a token (docs/caching.md, "Public forms"). A POST from another site's page
# is refused (is_cross_site); double opt-in and the rate limits do the rest.
@csrf_exempt
@require_POST
def signup(request):
    """The same answer whatever the address's state, so nobody learns who subscribes."""
    form = SignupForm(request.POST, prefix_id=f"{_source(request)}-signup")
    status, done, limited = 200, False, False
    if is_cross_site(request):
        status = 403
        form.add_error(None, _("This form was sent from another web site, so nothing was saved. "
                               "To subscribe, use the form on this page."))  # fmt: skip
    elif form.is_valid():
        if services.signup_rate_limited(client_ip(request)):
            status, limited = 429, True
        else:
            services.subscriber_subscribe(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                ip_address=client_ip(request),
                # The page's language (its address's prefix): the subscriber's emails'.
                language=translation.get_language(),
            )
            done = True
    context = {
        "form": form,
        "done": done,
        "limited": limited,
        "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }
    template = SIGNUP_FRAGMENT if is_fetch(request) else "newsletter/signup_result.html"
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _invalid_link(request, **context):
    form = SignupForm(
        initial={"source": Subscriber.Source.PAGE}, prefix_id="page-signup"
    )
    response = render(
        request, "newsletter/link_invalid.html", {"form": form, **context}, status=400
    )
    add_never_cache_headers(response)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows one button; only the POST subscribes, so link scanners cannot."""
    try:
        if request.method == "POST":
            confirmation = services.subscriber_confirm(token=token)
            return render(
                request,
                "newsletter/confirm_done.html",
                {
                    "subscriber": confirmation.subscriber,
                    "already_confirmed": confirmation.already_confirmed,
                },
            )
        subscriber = services.confirmation_check(token=token)
    except InvalidToken:
        return _invalid_link(request, purpose="confirm")
    if subscriber.status == Subscriber.Status.SUBSCRIBED:
        return render(
            request,
            "newsletter/confirm_done.html",
            {"subscriber": subscriber, "already_confirmed": True},
        )
    return render(
        request, "newsletter/confirm.html", {"subscriber": subscriber, "token": token}
    )


@csrf_exempt  # The signed token authenticates this POST; mail providers send it (RFC 8058).
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        read_unsubscribe_token(token)
    except InvalidToken:
        return _invalid_link(request, purpose="unsubscribe")
    if request.method == "POST":
        services.subscriber_unsubscribe(token=token)
        form = SignupForm(
            initial={"source": Subscriber.Source.PAGE}, prefix_id="page-signup"
        )
        return render(request, "newsletter/unsubscribe_done.html", {"form": form})
    return render(request, "newsletter/unsubscribe.html", {"token": token})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def language(request, token):
    """The signed link in every email's footer: choose the language of one's emails.
    A POST saves the choice, then the page answers in the language chosen."""
    try:
        subscriber = (
            Subscriber.objects.only("email", "language")
            .filter(pk=read_language_token(token))
            .first()
        )
    except InvalidToken:
        subscriber = None
    if subscriber is None:  # a broken link, or an address erased from the list
        return _invalid_link(request, purpose="language")
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["language"]
            services.subscriber_language_set(token=token, language=chosen)
            with translation.override(chosen):
                url = reverse("newsletter:language", kwargs={"token": token})
            return HttpResponseRedirect(f"{url}?saved=1", status=303)
        status = 400
    else:
        form = LanguageForm(initial={"language": subscriber.email_language})
        status = 200
    return render(
        request,
        "newsletter/language.html",
        {
            "form": form,
            "subscriber": subscriber,
            "token": token,
            "saved": request.method != "POST" and request.GET.get("saved") == "1",
        },
        status=status,
    )


@require_safe
def archive_list(request):
    campaigns = Campaign.objects.archived().only(
        "subject", "slug", "preheader", "body", "sent_at"
    )
    page = paginate(request, campaigns)
    return render(
        request,
        "newsletter/campaign_list.html",
        {"page_obj": page, "campaigns": _in_page_language(page.object_list)},
    )


def _visible_link(url):
    """The address, or "" when it leads to a publication of this site that visitors
    cannot see (a draft, or one whose unpublishing time has passed)."""
    path = local_path(url) if url else None
    if path is None:
        return url
    path = urlsplit(path).path
    # Resolved in the language its address names (English has no prefix).
    with translation.override(
        translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    ):
        try:
            match = resolve(path)
        except Resolver404:
            return url
    if match.view_name in ("publications:detail", "publications:download"):
        if (
            not Publication.objects.published()
            .filter(slug=match.kwargs.get("slug"))
            .exists()
        ):
            return ""
    return url


def _other_editions(campaign, editions, shown):
    """The campaign's editions other than the one shown, [{code, name, url}], each
    under its language's address (where the public site is in that language)."""
    names = dict(settings.LANGUAGES)
    others = []
    for item in [campaign, *editions]:
        if item is shown or item.language not in settings.PUBLIC_LANGUAGES:
            continue
        with translation.override(item.language):
            url = campaign.get_absolute_url()
        others.append({"code": item.language, "name": names[item.language], "url": url})
    return others


@require_safe
def archive_detail(request, slug):
    may_preview = request.user.is_authenticated and request.user.has_perm(
        "newsletter.change_campaign"
    )
    campaigns = Campaign.objects.all() if may_preview else Campaign.objects.archived()
    campaign = get_object_or_404(campaigns, slug=slug)
    is_preview = campaign.status != Campaign.Status.SENT
    # The edition in the page's language, else the campaign's own (English), marked
    # lang="en"; the others are named with their addresses.
    editions = list(campaign.editions.all())
    edition = campaign.edition(translation.get_language(), editions)
    response = render(
        request,
        "newsletter/campaign_detail.html",
        {
            "campaign": campaign,
            "edition": edition,
            "edition_lang": "" if edition is not campaign else content_lang_attr(),
            "other_editions": _other_editions(campaign, editions, edition),
            "pdf_edition_url": edition.publication_url
            if is_preview
            else _visible_link(edition.publication_url),
            "is_preview": is_preview,
            "structured_data": campaign_structured_data(campaign, edition),
        },
    )
    if is_preview:
        add_never_cache_headers(response)
    return response
