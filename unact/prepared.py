"""Queries built with the ORM once per process, then run with new values.

Building and compiling a queryset costs the same every time: on this site's hardware,
0.3 to 0.6 ms even for a one-row lookup, several times the database's own work, and a
post page runs six of them. The SQL depends only on the queryset's shape, so it is a
pure function worth memoising: PreparedQuery builds the queryset once per database
connection, with a Param in place of each value that changes, keeps the compiled SQL
and the result converters, and afterwards only substitutes the values (prepared for
the database exactly as the field would prepare them) and runs the SQL.

    visible = PreparedQuery(lambda: Comment.objects.filter(post_id=Param("post", IntegerField()))
                            .values_list("pk", "name"))
    rows = visible(post=post.pk)          # a list of tuples, as values_list() gives

The queryset must be a values_list() (tuples come back) and its SQL must not depend on
the values: no None (it would need IS NULL) and no lists for __in (their length is part
of the SQL); use the plain queryset for those cases. For model instances, give the
rows to Model.from_db() (the columns in the model's field order).
"""

from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import Expression


class Param(Expression):
    """A named value of a PreparedQuery, given each time it runs."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self):
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]


class PreparedQuery:
    def __init__(self, build, using="default"):
        self.build = build
        self.using = using
        # Per connection object (each thread has its own): converters belong to one.
        self._compiled = WeakKeyDictionary()

    def _compile(self, connection):
        queryset = self.build().using(self.using)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        columns = [expression for expression, _sql, _alias in compiler.select]
        compiled = self._compiled[connection] = (sql, tuple(params), compiler.get_converters(columns))
        return compiled

    def __call__(self, **values):
        """The rows (tuples) of the query for these values."""
        connection = connections[self.using]
        compiled = self._compiled.get(connection) or self._compile(connection)
        sql, params, converters = compiled
        params = [self._value(param, values, connection) if isinstance(param, Param) else param for param in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters and rows:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, (functions, expression) in converters.items():
                    value = row[index]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[index] = value
        return rows

    @staticmethod
    def _value(param, values, connection):
        value = values[param.name]
        if value is None:
            raise ValueError(f"{param!r} is None: the SQL would need IS NULL; use the plain queryset.")
        return param.output_field.get_db_prep_value(value, connection, prepared=False)


def model_columns(model, exclude=()):
    """The attribute names of a model's columns, in its field order (as from_db() wants)."""
    return [field.attname for field in model._meta.concrete_fields if field.name not in exclude]
