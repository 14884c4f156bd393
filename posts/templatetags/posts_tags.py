from django import template

from posts import markup
from unact.templatetags.site_tags import picture

register = template.Library()


@register.simple_tag
def comment_count_text(count):
    """“1 comment”, “12 comments”: the wording of {% blocktranslate count %}, without its cost."""
    return markup.comment_count_text(count)


@register.simple_tag
def responsive_image(
    post, sizes="(max-width: 760px) 100vw, 720px", eager=False, css_class=""
):
    """The post's featured image as a <picture> with WebP and JPEG renditions."""
    return picture(post.image_renditions(), post.image_alt, sizes, eager, css_class)


@register.simple_tag
def post_card(post, eager=False):
    """A post's card in a list (posts/markup.py)."""
    return markup.post_card(post, eager)
