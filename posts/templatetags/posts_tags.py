from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..video import facade_iframes

register = template.Library()


def _srcset(sources):
    return format_html_join(", ", "{} {}w", ((url, width) for url, width, _height in sources))


@register.simple_tag
def picture(renditions, alt="", sizes="100vw", eager=False, css_class="", default_index=1):
    """A <picture>: WebP renditions first, the JPEG ones as fallback, with width and height.

    Images below the fold load lazily; the one that is likely the largest paint
    (eager) is fetched with high priority instead.
    """
    if not renditions.jpeg:
        return ""
    default_url, width, height = renditions.jpeg[min(default_index, len(renditions.jpeg) - 1)]
    webp = (
        format_html('<source type="image/webp" srcset="{}" sizes="{}">', _srcset(renditions.webp), sizes)
        if renditions.webp
        else ""
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}></picture>',
        webp,
        default_url,
        _srcset(renditions.jpeg),
        sizes,
        width,
        height,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
        # Constant attribute text, no input in it.
        mark_safe(' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'),  # nosec B308 B703
    )


@register.simple_tag
def responsive_image(post, sizes="(max-width: 760px) 100vw, 720px", eager=False, css_class=""):
    """The post's featured image as a <picture> with WebP and JPEG renditions."""
    return picture(post.image_renditions(), post.image_alt, sizes, eager, css_class)


@register.filter
def video_facades(html):
    """Rich text with its video iframes replaced by click-to-load facades (see includes/video.html)."""
    return facade_iframes(html)


@register.simple_tag
def field_widget(field):
    """A form field's widget naming its error messages and help text (aria-describedby).

    The template renders the messages as `<id>_error` and the help as `<id>_helptext`;
    Django adds aria-invalid itself when the field has errors.
    """
    described_by = []
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    return field.as_widget(attrs={"aria-describedby": " ".join(described_by)} if described_by else None)
