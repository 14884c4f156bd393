"""Load the benchmark's realistic volume: posts, publications, comments, subscribers.

    python manage.py load_bench_data            (PostgreSQL; about a minute on 2 cores)

1,000 published posts with tags and a featured image, 300 publications with a PDF and
a cover, 20,000 approved comments (one post, slug `bench-post-with-200-comments`, has
exactly 200) and 10,000 confirmed subscribers. One image and one PDF are generated
and stored once; every row points at them, and their renditions are made once, when
the first row is saved normally. Everything else goes in with bulk_create.

Idempotent: each kind of row is recognised by its `bench-` prefix; when a kind
already has its full count it is left alone, otherwise its rows are replaced.
"""

import random
import time
from datetime import date, timedelta

from taggit.models import Tag, TaggedItem

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from newsletter.consent import current_consent
from newsletter.models import Subscriber
from posts.models import Category, Comment, Post
from publications.models import Country, Publication
from unact.demo_images import make_cover_image
from unact.search.services import search_index_rebuild

PREFIX = "bench-"
POSTS, PUBLICATIONS, COMMENTS, SUBSCRIBERS = 1000, 300, 20_000, 10_000
BUSY_POST_SLUG = "bench-post-with-200-comments"
BUSY_POST_COMMENTS = 200
CATEGORIES = ["News", "Stories", "Research", "Events", "Statements", "Training"]
TAGS = [
    "Safe migration",
    "Labour exploitation",
    "Fishing",
    "Forced marriage",
    "Referral",
    "Hotline",
    "COMMIT",
    "ASEAN",
    "Civil society",
    "Survivors",
    "Cambodia",
    "Thailand",
    "Myanmar",
    "Lao PDR",
    "Viet Nam",
    "China",
    "Border",
    "Prosecution",
    "Prevention",
    "Research",
    "Youth",
    "Domestic work",
    "Construction",
    "Agriculture",
    "Online recruitment",
    "Debt bondage",
    "Repatriation",
    "Shelter",
    "Training",
    "Policy",
]
PARAGRAPHS = [
    "Governments and civil society across the Greater Mekong Sub-region strengthened the referral "
    "of trafficked persons, with case managers in each province trained to identify survivors.",
    "Migrants who cross borders for work face debt bondage and confiscated documents; the hotline "
    "answers in six languages and connects callers with legal aid.",
    "The regional meeting reviewed the COMMIT plan of action against trafficking and agreed on "
    "joint standards for repatriation and reintegration.",
    "Researchers interviewed returning workers in fishing, construction and domestic work about "
    "recruitment fees, wages withheld and the help they found.",
]

# Every tenth publication (three in ten) is in Thai, Khmer or Vietnamese, as search
# must split and fold those too: (language, title, text).
OTHER_LANGUAGES = [
    (
        "th",
        "รายงานการค้ามนุษย์และการย้ายถิ่นอย่างปลอดภัย",
        "การค้ามนุษย์ในภูมิภาคลุ่มแม่น้ำโขงยังคงเป็นปัญหาร้ายแรง แรงงานข้ามชาติจำนวนมากถูกหลอกลวงให้ทำงานในเรือประมง",
    ),
    (
        "km",
        "របាយការណ៍ស្តីពីការជួញដូរមនុស្ស និងការធ្វើចំណាកស្រុកប្រកបដោយសុវត្ថិភាព",
        "ការជួញដូរមនុស្សនៅតំបន់មេគង្គនៅតែជាបញ្ហាធ្ងន់ធ្ងរ។ ពលករចំណាកស្រុកជាច្រើនត្រូវបានបោកបញ្ឆោត។",
    ),
    (
        "vi",
        "Báo cáo về buôn bán người và di cư an toàn",
        "Nạn buôn bán người ở tiểu vùng sông Mê Kông vẫn là vấn đề nghiêm trọng. Nhiều lao động di cư bị lừa gạt làm việc trên tàu cá.",
    ),
]


def _body(index):
    rng = random.Random(index)
    parts = []
    for section in range(4):
        parts.append(f"<h2>Section {section + 1}</h2>")
        parts.extend(f"<p>{rng.choice(PARAGRAPHS)}</p>" for _ in range(2))
    return "\n".join(parts)


class Command(BaseCommand):
    help = "Load the benchmark volume (1,000 posts, 300 publications, 20,000 comments, 10,000 subscribers)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            posts = self.load_posts()
            self.load_comments(posts)
        with transaction.atomic():
            self.load_publications(posts)
        with transaction.atomic():
            self.load_subscribers()
        # bulk_create sends no signals: the search index is written once, for everything.
        counts = search_index_rebuild()
        self.stdout.write(f"Search index: {sum(counts.values())} documents.")
        if connection.vendor == "postgresql":
            # Fresh bulk loads have no planner statistics until autovacuum comes by
            # (without them the tag page's count took 56 ms instead of 1), and the
            # tag triggers and stored counts leave a dead version of each post behind
            # (a third more pages to read): vacuumed and analysed now, as autovacuum
            # would later, so every run measures the same tables.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"Benchmark data ready in {time.perf_counter() - started:.1f} s."
        )

    # Posts --------------------------------------------------------------------------

    def load_posts(self):
        existing = Post.objects.filter(
            slug__startswith=PREFIX, status=Post.Status.PUBLISHED
        )
        if existing.count() == POSTS and existing.filter(slug=BUSY_POST_SLUG).exists():
            self.stdout.write(f"Posts: {POSTS} already loaded.")
            return list(existing.order_by("pk"))
        Post.objects.filter(slug__startswith=PREFIX).delete()
        categories = [
            Category.objects.get_or_create(
                slug=f"{PREFIX}{name.lower()}", defaults={"name": f"{name} (bench)"}
            )[0]
            for name in CATEGORIES
        ]
        tags = [
            Tag.objects.get_or_create(
                slug=f"{PREFIX}{name.lower().replace(' ', '-')}",
                defaults={"name": f"{name} (bench)"},
            )[0]
            for name in TAGS
        ]
        now = timezone.now()
        # The first post is saved normally: its image is stored once and its renditions made.
        first = Post(
            title="Regional cooperation against trafficking: bench post 1",
            slug=BUSY_POST_SLUG,
            category=categories[0],
            body=_body(0),
            status=Post.Status.PUBLISHED,
            publish_at=now - timedelta(hours=1),
            image_alt="A coloured panel with the UN-ACT name",
        )
        first.featured_image.save(
            "bench.jpg", ContentFile(make_cover_image("bench", "Benchmark")), save=False
        )
        first.save()
        rows = []
        for index in range(1, POSTS):
            rows.append(
                Post(
                    title=f"Trafficking survivors find help across borders: bench post {index + 1}",
                    slug=f"{PREFIX}post-{index + 1:04d}",
                    category=categories[index % len(categories)],
                    body=_body(index),
                    summary=PARAGRAPHS[index % len(PARAGRAPHS)],
                    status=Post.Status.PUBLISHED,
                    publish_at=now - timedelta(hours=1 + index * 7),
                    featured_image=first.featured_image.name,
                    image_width=first.image_width,
                    image_height=first.image_height,
                    image_alt=first.image_alt,
                )
            )
        Post.objects.bulk_create(rows, batch_size=500)
        posts = list(Post.objects.filter(slug__startswith=PREFIX).order_by("pk"))
        content_type = ContentType.objects.get_for_model(Post)
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(
                    content_type=content_type,
                    object_id=post.pk,
                    tag=tags[(post.pk * 7 + offset) % len(tags)],
                )
                for post in posts
                for offset in range(3)
            ],
            batch_size=2000,
        )
        self.stdout.write(
            f"Posts: {len(posts)} loaded, {len(tags)} tags, one shared image."
        )
        return posts

    def load_comments(self, posts):
        existing = Comment.objects.filter(
            post__slug__startswith=PREFIX, status=Comment.Status.APPROVED
        )
        if existing.count() == COMMENTS:
            self.stdout.write(f"Comments: {COMMENTS} already loaded.")
            return
        Comment.objects.filter(post__slug__startswith=PREFIX).delete()
        busy = next(post for post in posts if post.slug == BUSY_POST_SLUG)
        others = [post for post in posts if post.pk != busy.pk]
        start = timezone.now() - timedelta(days=30)
        rows = []
        for index in range(COMMENTS):
            post = busy if index < BUSY_POST_COMMENTS else others[index % len(others)]
            rows.append(
                Comment(
                    post=post,
                    name=f"Reader {index}",
                    email=f"bench-reader{index}@example.net",
                    text=f"Thank you for this report ({index}). Our village needs to know about safe migration "
                    "and the hotline numbers before people leave for work abroad.",
                    status=Comment.Status.APPROVED,
                    created_at=start + timedelta(seconds=index * 60),
                )
            )
        Comment.objects.bulk_create(rows, batch_size=2000)
        Post.objects.filter(slug__startswith=PREFIX).refresh_comment_counts()
        self.stdout.write(
            f"Comments: {COMMENTS} loaded ({BUSY_POST_COMMENTS} on /posts/{BUSY_POST_SLUG}/)."
        )

    # Publications -------------------------------------------------------------------

    def load_publications(self, posts):
        existing = Publication.objects.filter(
            slug__startswith=PREFIX, status=Publication.Status.PUBLISHED
        )
        if existing.count() == PUBLICATIONS:
            self.stdout.write(f"Publications: {PUBLICATIONS} already loaded.")
            return
        from publications.demo import make_pdf
        from publications.services import publication_save

        Publication.objects.filter(slug__startswith=PREFIX).delete()
        kinds = [
            kind
            for kind, _label in Publication.Kind.choices
            if kind != Publication.Kind.VIDEO
        ]
        countries = list(Country.objects.order_by("position"))
        tags = [
            Tag.objects.get_or_create(
                slug=f"{PREFIX}pub-{name.lower().replace(' ', '-')}",
                defaults={"name": f"{name} (bench publications)"},
            )[0]
            for name in TAGS[:12]
        ]
        # One small PDF, stored once; saving the first publication makes the cover from it.
        first = Publication(
            title="Bench publication 1: trafficking in the Mekong",
            slug=f"{PREFIX}publication-0001",
            kind=kinds[0],
            status=Publication.Status.PUBLISHED,
            publication_date=date(2016, 1, 1),
            description="<p>Research on trafficking and safe migration in the sub-region.</p>",
        )
        pdf = make_pdf(
            first.title,
            "Report",
            first.publication_date,
            [("Summary", PARAGRAPHS[0])],
            pages=2,
        )
        first.document.save("bench.pdf", ContentFile(pdf), save=False)
        publication_save(publication=first)
        rows = []
        for index in range(1, PUBLICATIONS):
            language, title, text = (
                "en",
                f"Bench publication {index + 1}: trafficking and safe migration",
                PARAGRAPHS[index % len(PARAGRAPHS)],
            )
            if index % 10 in (3, 6, 9):
                language, title, text = OTHER_LANGUAGES[index % 10 // 3 - 1]
            rows.append(
                Publication(
                    title=title,
                    slug=f"{PREFIX}publication-{index + 1:04d}",
                    kind=kinds[index % len(kinds)],
                    status=Publication.Status.PUBLISHED,
                    language=language,
                    publication_date=date(2025, 6, 1) - timedelta(days=index * 12),
                    summary=text,
                    description=f"<p>{text}</p>",
                    document=first.document.name,
                    file_size=first.file_size,
                    page_count=first.page_count,
                    document_text=first.document_text,
                    cover=first.cover.name,
                    cover_width=first.cover_width,
                    cover_height=first.cover_height,
                    has_generated_cover=True,
                )
            )
        Publication.objects.bulk_create(rows, batch_size=500)
        publications = list(
            Publication.objects.filter(slug__startswith=PREFIX).order_by("pk")
        )
        through = Publication.countries.through
        through.objects.bulk_create(
            [
                through(
                    publication_id=publication.pk,
                    country_id=countries[(publication.pk + offset) % len(countries)].pk,
                )
                for publication in publications
                for offset in (0, 3)
            ]
        )
        content_type = ContentType.objects.get_for_model(Publication)
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(
                    content_type=content_type,
                    object_id=publication.pk,
                    tag=tags[(publication.pk + offset) % len(tags)],
                )
                for publication in publications
                for offset in range(2)
            ]
        )
        related = Publication.related_posts.through
        related.objects.bulk_create(
            [
                related(
                    publication_id=publication.pk, post_id=posts[index % len(posts)].pk
                )
                for index, publication in enumerate(publications)
            ]
        )
        self.stdout.write(
            f"Publications: {len(publications)} loaded, one shared PDF and cover."
        )

    # Subscribers --------------------------------------------------------------------

    def load_subscribers(self):
        existing = Subscriber.objects.filter(
            email__startswith=PREFIX, status=Subscriber.Status.SUBSCRIBED
        )
        if existing.count() == SUBSCRIBERS:
            self.stdout.write(f"Subscribers: {SUBSCRIBERS} already loaded.")
            return
        Subscriber.objects.filter(email__startswith=PREFIX).delete()
        version, text = current_consent()
        now = timezone.now()
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"{PREFIX}subscriber{index}@example.org", name=f"Subscriber {index}",
                    status=Subscriber.Status.SUBSCRIBED, source=Subscriber.Source.IMPORT,
                    consent_source="benchmark", consent_version=version, consent_text=text,
                    consented_at=now, confirmed_at=now,
                )
                for index in range(SUBSCRIBERS)
            ],
            batch_size=2000,
        )  # fmt: skip
        self.stdout.write(f"Subscribers: {SUBSCRIBERS} loaded.")
