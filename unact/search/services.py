"""Keeping the search index (unact.models.SearchDocument) current.

One function writes a document, `search_document_update`; signals (signals.py) call
it when a post, publication, newsletter edition or page, a category or a tag is saved or
deleted, and the services that change rows with `queryset.update()` (publishing in
bulk, a campaign marked sent) call `search_documents_refresh` themselves.
`rebuild_search_index` (search_index_rebuild) writes every document again.

What is indexed is each model's published items that are not yet unpublished
(`not_expired()`, `archived()`) regardless of the date: a scheduled post gets its
document at once and search shows it from its hour, and a document keeps its item's
unpublishing time so that search stops showing it then
(SearchDocument.objects.visible()): nothing has to run at either moment.
"""

import functools
import operator
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Q, TextField, Value
from django.utils import timezone
from django.utils.translation import override

from newsletter.models import Campaign, CampaignEdition
from posts.models import Post
from publications.models import Publication
from unact.models import SearchDocument
from unact.pages.models import Page
from unact.richtext import html_to_text

from .words import fold_words, stem

BATCH = 500


def search_config(language=""):
    """The PostgreSQL text-search configuration of a document's language: English is
    stemmed (SEARCH_CONFIG, "english"); the others get "simple" (lower case, no stemming,
    no stop words), since PostgreSQL has no stemmer for Thai, Khmer, Lao, Burmese,
    Chinese or Vietnamese and their words come already split (words.py)."""
    return settings.SEARCH_CONFIG if language in ("", "en") else "simple"


@dataclass
class Source:
    """A kind of document: the rows to index (published and not unpublished, whatever their date) and their fields."""

    kind: str
    model: type

    def queryset(self):
        if self.model is Post:
            return (
                Post.objects.not_expired()
                .select_related("category")
                .prefetch_related("tags")
            )
        if self.model is Publication:
            return Publication.objects.not_expired().prefetch_related("tags")
        if self.model is Page:
            return Page.objects.not_expired()
        return Campaign.objects.archived().prefetch_related("editions")

    def documents(self, item):
        """The documents of one item: one, or for a campaign one per edition (its own,
        English, then each edition in another language, with that language)."""
        if self.model is not Campaign:
            return [self.fields(item)]
        return [self.fields(item)] + [
            self.fields(item, edition=edition) for edition in item.editions.all()
        ]

    def fields(self, item, edition=None):
        tags = (
            [tag.name for tag in item.tags.all()]
            if self.model in (Post, Publication)
            else []
        )
        if self.model is Post:
            published_at, language = item.publish_at, item.language
            extra = {
                "title": item.title,
                "summary": item.summary,
                "body": html_to_text(item.body),
                "category": item.category.slug if item.category else "",
                "category_name": item.category.name if item.category else "",
            }
        elif self.model is Publication:
            published_at = timezone.make_aware(
                datetime.combine(item.publication_date, time.min)
            )
            language = item.language
            extra = {
                "title": item.title,
                "summary": item.summary,
                # The description, then the PDF's own text (read on upload).
                "body": html_to_text(item.description) + "\n" + item.document_text,
                "publication_kind": item.kind,
            }
        elif self.model is Page:
            published_at, language = item.publish_at, ""
            extra = {
                "title": item.title,
                "summary": item.summary,
                "body": html_to_text(item.body),
            }
        else:
            # A campaign's own fields are its English edition (language "", as posts').
            published_at = item.sent_at or item.created_at
            language = edition.language if edition else ""
            content = edition or item
            extra = {
                "title": content.subject,
                "summary": content.preheader,
                "body": html_to_text(content.body),
            }
        extra = {
            name: unicodedata.normalize("NFC", value)
            if name in ("title", "summary", "body")
            else value
            for name, value in extra.items()
        }
        local_date = timezone.localdate(published_at)
        config = search_config(language)
        # The address in the document's language (English, unprefixed, by default).
        with override(language or None):
            url = item.get_absolute_url()
        return {
            **extra,
            "kind": self.kind,
            "object_id": item.pk,
            "language": language,
            "group": getattr(item, "translation_key", None),
            "url": url,
            "published_at": published_at,
            "unpublish_at": getattr(item, "unpublish_at", None),
            "date": local_date,
            "year": local_date.year,
            "config": config,
            "title_words": _words(extra["title"], config),
            "summary_words": _words(extra["summary"], config),
            "body_words": _words(extra["body"] + " " + " ".join(tags), config),
        }


def _words(text, config):
    """Folded words between spaces, and a space at each end: SQLite finds a whole word as
    " word ". PostgreSQL builds its vector from these words in the document's
    configuration; SQLite, which has no stemmer, gets an English document's words as
    their stems (words.stem), so "trafficked" finds "traffickers" on both."""
    words = fold_words(text)
    if config == settings.SEARCH_CONFIG and connection.vendor != "postgresql":
        words = [stem(word) for word in words]
    return " " + " ".join(words) + " "


SOURCES = {
    Post: Source(SearchDocument.Kind.POST, Post),
    Publication: Source(SearchDocument.Kind.PUBLICATION, Publication),
    Campaign: Source(SearchDocument.Kind.EDITION, Campaign),
    Page: Source(SearchDocument.Kind.PAGE, Page),
}


def document_vector(fields):
    """The weighted vector of a document (PostgreSQL; None elsewhere): title A, summary B,
    body and tags C, each in the document's own configuration. Built by PostgreSQL from
    the words in the row's own INSERT or UPDATE: a second UPDATE would leave a dead
    copy of every row, and a rebuilt table twice its size for searches to read."""
    if connection.vendor != "postgresql":
        return None
    return (
        _vector(fields["title_words"], fields["config"], "A")
        + _vector(fields["summary_words"], fields["config"], "B")
        + _vector(fields["body_words"], fields["config"], "C")
    )


def _vector(words, config, weight):
    return SearchVector(
        Value(words, output_field=TextField()), config=config, weight=weight
    )


def search_documents_refresh(*, model, pks):
    """Write again (or remove) the documents of these rows of a searched model."""
    source = SOURCES[model]
    pks = list(pks)
    with transaction.atomic():
        items = list(source.queryset().filter(pk__in=pks))
        documents = [fields for item in items for fields in source.documents(item)]
        # Whatever these rows no longer have goes, in one query: an item no longer
        # published, a campaign's edition deleted, a publication's former language.
        stale = SearchDocument.objects.filter(kind=source.kind, object_id__in=pks)
        if documents:
            stale = stale.exclude(
                functools.reduce(
                    operator.or_,
                    (
                        Q(object_id=fields["object_id"], language=fields["language"])
                        for fields in documents
                    ),
                )
            )
        stale.delete()
        for fields in documents:
            SearchDocument.objects.update_or_create(
                kind=fields.pop("kind"),
                object_id=fields.pop("object_id"),
                language=fields.pop("language"),
                defaults={**fields, "search_vector": document_vector(fields)},
            )


def search_document_update(*, instance):
    """Write again (or remove) the documents of one post, publication or campaign (a
    campaign's edition in another language writes its campaign's)."""
    if isinstance(instance, CampaignEdition):
        search_documents_refresh(model=Campaign, pks=[instance.campaign_id])
        return
    search_documents_refresh(
        model=type(instance)._meta.concrete_model, pks=[instance.pk]
    )


def search_index_rebuild(*, progress=None):
    """Write every document again, in one transaction (searches see the old index until it ends).

    progress(kind, done, total) is called after each batch. Returns {kind: documents}.
    """
    counts = {}
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for source in SOURCES.values():
            queryset = source.queryset().order_by("pk")
            total, done = queryset.count(), 0
            if progress:
                progress(source.kind, 0, total)
            last_pk, written = 0, 0
            while batch := list(queryset.filter(pk__gt=last_pk)[:BATCH]):
                documents = SearchDocument.objects.bulk_create(
                    SearchDocument(**fields, search_vector=document_vector(fields))
                    for item in batch
                    for fields in source.documents(item)
                )
                done, last_pk = done + len(batch), batch[-1].pk
                written += len(documents)
                if progress:
                    progress(source.kind, done, total)
            counts[source.kind] = written
    return counts
