from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def responsive_image(post, sizes="(max-width: 760px) 100vw, 720px", eager=False, css_class=""):
    """An <img> with srcset, width and height from the post's renditions."""
    sources = post.image_sources()
    if not sources:
        return ""
    smallest_url, width, height = sources[0]
    default_url, width, height = sources[min(1, len(sources) - 1)]
    srcset = format_html_join(", ", "{} {}w", ((url, w) for url, w, _h in sources))
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}>',
        default_url,
        srcset,
        sizes,
        width,
        height,
        post.image_alt,
        format_html(' class="{}"', css_class) if css_class else "",
        # Constant attribute text, no input in it.
        mark_safe(' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'),  # nosec B308 B703
    )
