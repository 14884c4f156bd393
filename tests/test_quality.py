"""Every public page type passes axe-core (WCAG 2.2 AA) and the Nu Html Checker."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# One URL per public page type; the demo content fills them.
PUBLIC_PAGES = [
    "/",
    "/?page=1",
    "/posts/",
    "/posts/un-act-2015-annual-report/",
    "/posts/exploitation-of-migrant-domestic-workers-in-saudi-arabia/",
    "/posts/category/blog/",
    "/posts/tag/commit/",
    "/posts/2016/",
    "/safety/",
    "/search/?q=trafficking",
    "/search/?q=trafficking&type=post&page=2",
    "/search/",
    "/search/?q=xylophone",
    "/no-such-page/",
]


def require(path, what):
    if path.exists():
        return
    message = f"{what} is missing ({path}); run `make test`, which installs it with npm."
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def demo_content(db):
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--no-admin", stdout=devnull)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_have_no_axe_violations(live_server, page):
    require(AXE, "axe-core")
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--no-admin", stdout=devnull)
    axe_source = AXE.read_text()
    failures = {}
    for path in PUBLIC_PAGES:
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            # evaluate() is not subject to the page's CSP, unlike an injected <script>.
            page.evaluate(axe_source)
            result = page.evaluate(
                """() => axe.run(document, {runOnly: {type: "tag",
                   values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})"""
            )
            for violation in result["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                failures.setdefault(f"{path} @{width}px", []).append(f"{violation['id']}: {violation['help']} {targets}")
    assert not failures, json.dumps(failures, indent=2)


def test_public_pages_are_valid_html(client, demo_content, tmp_path):
    require(VNU, "vnu-jar")
    java = shutil.which("java")
    if not java:
        pytest.fail("Java is needed to run the Nu Html Checker")
    files = []
    for index, path in enumerate(PUBLIC_PAGES):
        response = client.get(path)
        target = tmp_path / f"page{index}.html"
        target.write_bytes(response.content)
        files.append((path, target))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *[str(f) for _p, f in files]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    names = {str(target): path for path, target in files}
    errors = [
        f"{names.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
