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

On PostgreSQL the statement is also prepared on the server (PREPARE, once per database
session, sent outside the query log like the session settings Django sends when it
connects; then EXECUTE): planning a query cost PostgreSQL more than running these
small ones. Sessions must not be shared between processes (no transaction-pooling
proxy in front of PostgreSQL; the project connects directly). SQLite's driver keeps
prepared statements of its own.
"""

import itertools
import re
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import Expression, IntegerField


class Param(Expression):
    """A named value of a PreparedQuery, given each time it runs."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self):
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]


_STATEMENT_NUMBERS = itertools.count(1)
_PLACEHOLDER = re.compile(r"%([s%])")


def _numbered_placeholders(sql):
    """Django's SQL (%s for each value, %% for a percent sign) with $1, $2... for PREPARE."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda match: "%" if match.group(1) == "%" else f"${next(numbers)}", sql)


class PreparedQuery:
    """See the module's docstring. paged: the query takes `limit` and `offset` values too
    (a page of an ordered list; Django would write them into the SQL as constants)."""

    def __init__(self, build, using="default", paged=False):
        self.build = build
        self.using = using
        self.paged = paged
        self.statement = f"unact_prepared_{next(_STATEMENT_NUMBERS)}"
        # Per connection object (each thread has its own): converters belong to one.
        self._compiled = WeakKeyDictionary()

    def _compile(self, connection):
        queryset = self.build().using(self.using)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        if self.paged:
            sql += " LIMIT %s OFFSET %s"
            params = (*params, Param("limit", IntegerField()), Param("offset", IntegerField()))
        columns = [expression for expression, _sql, _alias in compiler.select]
        prepare = None
        if connection.vendor == "postgresql":
            prepare = f"PREPARE {self.statement} AS {_numbered_placeholders(sql)}"
            sql = f"EXECUTE {self.statement}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
        compiled = self._compiled[connection] = (sql, prepare, tuple(params), compiler, compiler.get_converters(columns))
        return compiled

    def __call__(self, **values):
        """The rows (tuples) of the query for these values."""
        connection = connections[self.using]
        compiled = self._compiled.get(connection) or self._compile(connection)
        sql, prepare, params, compiler, converters = compiled
        params = fill(params, self.using, **values)
        rows = _run(connection, self.statement, prepare, sql, params)
        if converters and rows:
            rows = list(compiler.apply_converters(rows, converters))
        return rows


# The statements prepared in each database session (driver connection).
_PREPARED_IN = WeakKeyDictionary()


def _run(connection, statement, prepare, sql, params):
    """Run sql (an EXECUTE of `statement` when `prepare` is given), preparing it first
    if this database session has not yet."""
    with connection.cursor() as cursor:
        if prepare is not None:
            prepared = _PREPARED_IN.setdefault(connection.connection, set())
            if statement not in prepared:
                with connection.connection.cursor() as session_cursor:
                    session_cursor.execute(prepare)
                prepared.add(statement)
        cursor.execute(sql, params)
        return cursor.fetchall()


_RAW_STATEMENTS = {}


def run_sql(sql, params, using="default"):
    """The rows of hand-written SQL (Django's %s placeholders, every value a parameter),
    prepared once per database session on PostgreSQL like a PreparedQuery. For SQL put
    together from a few fixed shapes: each distinct text is a statement of its own."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    try:
        statement, prepare, execute = _RAW_STATEMENTS[sql]
    except KeyError:
        statement = f"unact_prepared_{next(_STATEMENT_NUMBERS)}"
        prepare = f"PREPARE {statement} AS {_numbered_placeholders(sql)}"
        execute = f"EXECUTE {statement}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
        _RAW_STATEMENTS[sql] = statement, prepare, execute
    return _run(connection, statement, prepare, execute, params)


def fill(params, using="default", **values):
    """Params with a Param in place of a value (as where_sql() of a queryset built with
    Params gives), each Param replaced by its value, prepared as its field prepares it."""
    connection = connections[using]
    return [_value(param, values, connection) if isinstance(param, Param) else param for param in params]


def _value(param, values, connection):
    value = values[param.name]
    if value is None:
        raise ValueError(f"{param!r} is None: the SQL would need IS NULL; use the plain queryset.")
    return param.output_field.get_db_prep_value(value, connection, prepared=False)


def model_columns(model, exclude=()):
    """The attribute names of a model's columns, in its field order (as from_db() wants)."""
    return [field.attname for field in model._meta.concrete_fields if field.name not in exclude]


def where_sql(queryset):
    """A queryset's WHERE condition as (sql, params), for hand-written SQL that must
    select the same rows: `published()` is then still said in one place. The condition
    names columns by their table, so the SQL must read that table unaliased; it must
    need no join (published() does not)."""
    query = queryset.query
    return query.get_compiler(connection=connections[queryset.db]).compile(query.where)

