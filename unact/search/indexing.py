"""The PostgreSQL side of search: the functions and triggers that keep vectors current.

Why triggers: a vector must change whenever its text does, and posts and
publications change through many paths (the admin, services, `queryset.update()`,
`bulk_create`, data migrations, `loaddata`, the shell) and their tags through
another table entirely (taggit adds them after the row is saved; a tag can be
renamed). A trigger in the database sees every one of those writes, so no caller
can forget to refresh the index and it cannot go stale.

- Each content table has a BEFORE INSERT/UPDATE trigger that computes the row's
  vector from its own columns and its tags. It fires when a searched column is
  in the UPDATE (Django's save() writes every column; counting a download does
  not touch them, so it costs nothing).
- taggit's tables have AFTER triggers that touch the tagged rows (a write of the
  vector column), which recomputes them.
- The vector is stored in the row itself (STORAGE MAIN) rather than in the TOAST
  table, where PostgreSQL puts it once a row passes 2 kB: a search reads the
  vector of every match to rank it, and from TOAST each read is an index lookup
  and another page (a search over 1,300 matches spent 5 ms there instead of 1).
  The body goes to TOAST instead when a row is too long; it is read for the
  page's ten results only. The setting applies to rows as they are written: the
  refill rewrites every row, and migration publications/0006 rewrote the tables.

`search_index_install()` (run by the migration and by `rebuild_search_index`)
writes these with the configured text-search configuration (SEARCH_CONFIG) and then
recomputes every row.
"""

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# (table, app_label, model, {weight: SQL of the text}) for each searched model.
SEARCHED_TABLES = [
    (
        "posts_post",
        "posts",
        "post",
        {"A": "NEW.title", "B": "NEW.summary", "C": "unact_html_to_text(NEW.body)"},
    ),
    (
        "publications_publication",
        "publications",
        "publication",
        {"A": "NEW.title", "B": "NEW.summary", "C": "unact_html_to_text(NEW.description)"},
    ),
]

HELPERS = r"""
CREATE OR REPLACE FUNCTION unact_html_to_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- Rich text is sanitised by nh3 on save, whose serialiser writes only these four
  -- entities in text, so dropping the tags and decoding them gives the plain text.
  SELECT btrim(regexp_replace(replace(replace(replace(replace(
    regexp_replace(coalesce(value, ''), '<[^>]*>', ' ', 'g'),
    '&lt;', '<'), '&gt;', '>'), '&nbsp;', ' '), '&amp;', '&'), '\s+', ' ', 'g'))
$$;

CREATE OR REPLACE FUNCTION unact_tag_text(app text, model text, row_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_agg(tag.name, ' '), '')
  FROM taggit_taggeditem item
  JOIN taggit_tag tag ON tag.id = item.tag_id
  JOIN django_content_type ct ON ct.id = item.content_type_id
  WHERE ct.app_label = $1 AND ct.model = $2 AND item.object_id = $3
$$;

CREATE OR REPLACE FUNCTION unact_taggeditem_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  item record;
  label record;
BEGIN
  IF TG_OP = 'DELETE' THEN item := OLD; ELSE item := NEW; END IF;
  SELECT app_label, model INTO label FROM django_content_type WHERE id = item.content_type_id;
  IF label.app_label = 'posts' AND label.model = 'post' THEN
    UPDATE posts_post SET search_vector = NULL WHERE id = item.object_id;
  ELSIF label.app_label = 'publications' AND label.model = 'publication' THEN
    UPDATE publications_publication SET search_vector = NULL WHERE id = item.object_id;
  END IF;
  IF TG_OP = 'UPDATE' AND (OLD.object_id, OLD.content_type_id) IS DISTINCT FROM (NEW.object_id, NEW.content_type_id) THEN
    SELECT app_label, model INTO label FROM django_content_type WHERE id = OLD.content_type_id;
    IF label.app_label = 'posts' AND label.model = 'post' THEN
      UPDATE posts_post SET search_vector = NULL WHERE id = OLD.object_id;
    ELSIF label.app_label = 'publications' AND label.model = 'publication' THEN
      UPDATE publications_publication SET search_vector = NULL WHERE id = OLD.object_id;
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION unact_tag_rename_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posts_post SET search_vector = NULL WHERE id IN (
    SELECT item.object_id FROM taggit_taggeditem item
    JOIN django_content_type ct ON ct.id = item.content_type_id
    WHERE item.tag_id = NEW.id AND ct.app_label = 'posts' AND ct.model = 'post');
  UPDATE publications_publication SET search_vector = NULL WHERE id IN (
    SELECT item.object_id FROM taggit_taggeditem item
    JOIN django_content_type ct ON ct.id = item.content_type_id
    WHERE item.tag_id = NEW.id AND ct.app_label = 'publications' AND ct.model = 'publication');
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS unact_search_taggeditem ON taggit_taggeditem;
CREATE TRIGGER unact_search_taggeditem AFTER INSERT OR UPDATE OR DELETE ON taggit_taggeditem
  FOR EACH ROW EXECUTE FUNCTION unact_taggeditem_touch();
DROP TRIGGER IF EXISTS unact_search_tag_rename ON taggit_tag;
CREATE TRIGGER unact_search_tag_rename AFTER UPDATE OF name ON taggit_tag
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION unact_tag_rename_touch();
"""

ROW_TRIGGER = """
CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    {parts} ||
    setweight(to_tsvector('{config}', unact_tag_text('{app}', '{model}', NEW.id)), 'C');
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS {table}_search_vector ON {table};
CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF {columns}, search_vector ON {table}
  FOR EACH ROW EXECUTE FUNCTION {table}_search_vector();
CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING gin (search_vector);
ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE MAIN;
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS unact_search_taggeditem ON taggit_taggeditem;
DROP TRIGGER IF EXISTS unact_search_tag_rename ON taggit_tag;
DROP TRIGGER IF EXISTS posts_post_search_vector ON posts_post;
DROP TRIGGER IF EXISTS publications_publication_search_vector ON publications_publication;
DROP FUNCTION IF EXISTS unact_taggeditem_touch();
DROP FUNCTION IF EXISTS unact_tag_rename_touch();
DROP FUNCTION IF EXISTS posts_post_search_vector();
DROP FUNCTION IF EXISTS publications_publication_search_vector();
DROP FUNCTION IF EXISTS unact_tag_text(text, text, bigint);
DROP FUNCTION IF EXISTS unact_html_to_text(text);
DROP INDEX IF EXISTS posts_post_search_gin;
DROP INDEX IF EXISTS publications_publication_search_gin;
ALTER TABLE posts_post ALTER COLUMN search_vector SET STORAGE EXTENDED;
ALTER TABLE publications_publication ALTER COLUMN search_vector SET STORAGE EXTENDED;
"""

_CONFIG_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def search_config():
    """The text-search configuration (stemming, stop words): SEARCH_CONFIG, default english."""
    name = getattr(settings, "SEARCH_CONFIG", "english")
    if not _CONFIG_NAME.match(name):
        raise ImproperlyConfigured(f"SEARCH_CONFIG must name a text-search configuration, not {name!r}.")
    return name


def trigger_sql(config):
    statements = [HELPERS]
    for table, app, model, weighted in SEARCHED_TABLES:
        parts = " ||\n    ".join(
            f"setweight(to_tsvector('{config}', coalesce({text}, '')), '{weight}')"
            for weight, text in weighted.items()
        )
        columns = ", ".join(
            column for column in ("title", "summary", "body", "description")
            if f"NEW.{column}" in " ".join(weighted.values())
        )
        statements.append(
            ROW_TRIGGER.format(table=table, parts=parts, config=config, app=app, model=model, columns=columns)
        )
    return "\n".join(statements)


def search_index_install(connection, *, refill=True):
    """Write the triggers with the current SEARCH_CONFIG and recompute every vector.

    Returns {table: rows recomputed}; does nothing (and returns {}) on other databases.
    """
    if connection.vendor != "postgresql":
        return {}
    config = search_config()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [config])
        if cursor.fetchone() is None:
            raise ImproperlyConfigured(
                f"SEARCH_CONFIG names {config!r}, which this PostgreSQL does not have "
                "(psql's \\dF lists the text-search configurations it has)."
            )
        # The only value in this SQL is the configuration name, checked above against
        # an identifier pattern and pg_ts_config; table and column names are constants.
        cursor.execute(trigger_sql(config))  # nosec B608
        counts = {}
        if refill:
            for table, *_rest in SEARCHED_TABLES:
                cursor.execute(f"UPDATE {table} SET search_vector = NULL")  # nosec B608 (fixed table names)
                counts[table] = cursor.rowcount
    return counts


def search_index_uninstall(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(UNINSTALL)
