"""The search vector column of posts and publications, on both database engines.

On PostgreSQL the column is a `tsvector` that the database itself keeps current
(search/indexing.py installs the triggers); on SQLite it is a nullable text column
that stays empty, since the development fallback matches the content columns
directly. Nothing here imports django.contrib.postgres, so SQLite never needs it.
"""

from django.db import models
from django.db.models import Lookup


class SearchVectorField(models.Field):
    """A column Django never reads nor fills: the database maintains it.

    A vector is several times larger than the text it indexes, so it is left out of
    every SELECT (it reads as None) and saves write NULL, which the PostgreSQL
    trigger replaces with the fresh vector. It is only ever used in WHERE and in
    ranking expressions.
    """

    description = "Full-text search vector maintained by the database"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        return None

    def select_format(self, compiler, sql, params):
        return "NULL", []


@SearchVectorField.register_lookup
class Matches(Lookup):
    """`search_vector__matches=SearchQuery(...)`: the full-text match operator (PostgreSQL)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}", [*lhs_params, *rhs_params]
