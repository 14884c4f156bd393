from django.db.models import Func, TextField


class HtmlToText(Func):
    """PostgreSQL: the plain text of sanitised rich text (installed by search/indexing.py)."""

    function = "unact_html_to_text"
    output_field = TextField()
