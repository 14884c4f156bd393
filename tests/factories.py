import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from posts.models import Category, Post


def image_bytes(width=800, height=600, image_format="JPEG", colour=(10, 90, 156), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def image_upload(name="photo.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


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
    slug = factory.LazyAttribute(lambda category: category.name.lower().replace(" ", "-"))


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

    @factory.post_generation
    def tags(self, create, names):
        if create and names:
            self.tags.add(*names)

    class Params:
        draft = factory.Trait(status=Post.Status.DRAFT)
        scheduled = factory.Trait(publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)))
        with_image = factory.Trait(
            featured_image=factory.LazyFunction(lambda: image_upload()),
            image_alt="Officials at a regional meeting",
        )


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
