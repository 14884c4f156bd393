"""Django's makemessages, reading only the portal's own public texts (docs/translation.md).

Left out: installed packages and tools (.venv, node_modules), tests, the benchmark, and
the admin screens written for staff (*/admin.py, the admin's own modules in unact/, templates/admin/), which stay in English
while the public site, its emails and error pages are translated.
"""

from django.core.management.commands import makemessages

IGNORED = [
    ".venv/*",
    "node_modules/*",
    "var/*",
    "tests/*",
    "bench/*",
    "tools/*",
    "scripts/*",
    "static/*",
    "*/admin.py",
    "unact/adminsite.py",
    "unact/drafts.py",
    "unact/drafts_admin.py",
    "unact/editions.py",
    "unact/publishing_admin.py",
    "unact/redirects.py",
    "unact/review_admin.py",
    "unact/review_tasks.py",
    "unact/revisions.py",
    "unact/twofactor.py",
    "*/management/*",
    "templates/admin/*",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        # Source references (#: file:line) change with every edit elsewhere in a file and
        # bury the real changes in review: the catalogues keep the file names only.
        options.setdefault("add_location", "file")
        if options["add_location"] is None:
            options["add_location"] = "file"
        return super().handle(*args, **options)
