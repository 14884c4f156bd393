import io
from datetime import timedelta

import factory
from factory.django import DjangoModelFactory
from PIL import Image

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from posts.models import BlockedCommenter, BlockedWord, Category, Comment, Post
from unact.pages.models import Page


def image_bytes(
    width=800, height=600, image_format="JPEG", colour=(10, 90, 156), **save_options
):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def image_upload(name="photo.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery")


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def groups(self, create, names):
        from django.contrib.auth.models import Group

        for name in names or []:
            self.groups.add(Group.objects.get(name=name))


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(
        lambda category: category.name.lower().replace(" ", "-")
    )


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    category = factory.SubFactory(CategoryFactory, name="News")
    body = "<p>Referral mechanisms across the Greater Mekong Sub-region improved.</p>"
    status = Post.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    author = None
    # A post's author made it, unless a test says otherwise (contributors change only
    # the drafts they created).
    created_by = factory.SelfAttribute("author")

    @factory.post_generation
    def tags(self, create, names):
        if create and names:
            self.tags.add(*names)

    class Params:
        draft = factory.Trait(status=Post.Status.DRAFT)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
        )
        with_image = factory.Trait(
            featured_image=factory.LazyFunction(lambda: image_upload()),
            image_alt="Officials at a regional meeting",
        )


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.net")
    text = "Thank you for this. Our village needs to know about safe migration."
    status = Comment.Status.APPROVED
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0 (Linux; Android 9)"

    class Params:
        pending = factory.Trait(status=Comment.Status.PENDING)


class BlockedWordFactory(DjangoModelFactory):
    class Meta:
        model = BlockedWord

    phrase = "casino"
    action = BlockedWord.Action.HOLD


class BlockedCommenterFactory(DjangoModelFactory):
    class Meta:
        model = BlockedCommenter

    email = "spammer@example.com"


def pdf_bytes(pages=3, title="Test report"):
    """A real PDF of several pages, drawn with Pillow (the demo's generator)."""
    from datetime import date

    from publications.demo import make_pdf

    sections = [
        (f"Section {number}", "Referral of survivors across borders improved.")
        for number in range(pages - 1)
    ]
    return make_pdf(title, "Report", date(2016, 1, 1), sections, pages=pages)


def pdf_with_text(*lines):
    """A one-page PDF with a text layer (Helvetica, Latin-1 text), as word processors
    write them: what pdf_text reads. (pdf_bytes draws its pages as pictures.)"""
    shown = b" 0 -16 Td ".join(
        b"("
        + line.replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        .encode("latin-1")
        + b") Tj"
        for line in lines
    )
    content = b"BT /F1 12 Tf 72 720 Td " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_upload(name="report.pdf", **kwargs):
    return SimpleUploadedFile(name, pdf_bytes(**kwargs), content_type="application/pdf")


class PublicationFactory(DjangoModelFactory):
    """A published publication linking to an external page (no file work unless asked)."""

    class Meta:
        model = "publications.Publication"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Publication number {n}")
    slug = factory.Sequence(lambda n: f"publication-number-{n}")
    kind = "research-report"
    summary = "Findings on labour migration between Lao PDR and Thailand."
    external_url = "https://example.org/report"
    status = "published"
    publication_date = factory.LazyFunction(
        lambda: timezone.localdate() - timedelta(days=1)
    )

    @factory.post_generation
    def tags(self, create, names):
        if create and names:
            self.tags.add(*names)

    @factory.post_generation
    def countries(self, create, codes):
        if create and codes:
            from publications.models import Country

            self.countries.set(Country.objects.filter(code__in=codes))

    class Params:
        draft = factory.Trait(status="draft")
        scheduled = factory.Trait(
            publication_date=factory.LazyFunction(
                lambda: timezone.localdate() + timedelta(days=7)
            )
        )


def with_inline_management(client, url, data):
    """Admin form data plus the hidden management fields of the page's inlines (none added)."""
    import re

    html = client.get(url).content.decode()
    fields = re.findall(
        r'<input type="hidden" name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"',
        html,
    )
    management = {
        name: ("0" if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")) else value)
        for name, value in fields
    }
    return {**management, **data}


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = "newsletter.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    name = ""
    status = "subscribed"
    source = "footer"
    consent_version = "2025-1"
    consent_text = "I agree to receive the UN-ACT newsletter by email."
    confirmed_at = factory.LazyFunction(timezone.now)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = "newsletter.Campaign"

    subject = factory.Sequence(lambda n: f"Newsletter edition {n}")
    preheader = "News from the Greater Mekong Sub-region"
    body = '<p>Cross-border referral improved. <a href="/posts/">Read more</a></p>'


class PageFactory(DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page number {n}")
    slug = factory.Sequence(lambda n: f"page-number-{n}")
    body = "<p>UN-ACT works with governments and civil society in six countries.</p>"
    status = Page.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Page.Status.DRAFT)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
        )
        expired = factory.Trait(
            unpublish_at=factory.LazyFunction(
                lambda: timezone.now() - timedelta(minutes=1)
            )
        )
