"""No template of ours carries code that the Content-Security-Policy would block:
scripts and handlers live in static/js/, styles in static/css/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

PROJECT_ROOT = Path(settings.BASE_DIR)
INLINE_CODE = {
    # A <script> that runs its own text: any but <script src=...> or a JSON data block.
    "inline script": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I
    ),
    # hx-on="...", hx-on:click, hx-on::after-request, data-hx-on-...: htmx evals them.
    "hx-on handler": re.compile(r"[\s\"'](?:data-)?hx-on\b", re.I),
    "on* handler": re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.I | re.S),
    "eval'd htmx value": re.compile(
        r"hx-(?:vals|vars|headers)\s*=\s*[\"']\s*(?:js|javascript):", re.I
    ),
    "hx-trigger filter (eval'd)": re.compile(r"hx-trigger\s*=\s*[\"'][^\"']*\[", re.I),
    "hx-vars (always eval'd)": re.compile(r"\shx-vars\s*=", re.I),
    "javascript: URL": re.compile(r"=\s*[\"']?\s*javascript:", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.I | re.S),
    "<style> element": re.compile(r"<style\b", re.I),
}


def our_templates() -> list[Path]:
    """Every template the project itself ships: templates/ and its own apps' folders."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).parent == PROJECT_ROOT
    ]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


def test_the_template_tree_is_found():
    names = {path.relative_to(PROJECT_ROOT).as_posix() for path in our_templates()}

    assert {"templates/base.html", "templates/board/display.html"} <= names


@pytest.mark.parametrize("kind", INLINE_CODE)
def test_no_template_carries_inline_code(kind):
    pattern = INLINE_CODE[kind]
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)[:80]!r}"
        for path in our_templates()
        for match in pattern.finditer(path.read_text())
    ]

    assert found == []


@pytest.mark.parametrize(
    ("kind", "markup"),
    [
        ("inline script", "<script>alert(1)</script>"),
        ("inline script", '<script type="module">import "x"</script>'),
        ("hx-on handler", '<button hx-on:click="go()">'),
        ("hx-on handler", '<form data-hx-on--after-request="x()">'),
        ("on* handler", '<a href="#"\n   onclick="go()">'),
        ("eval'd htmx value", "<div hx-vals='js:{a: b()}'>"),
        ("hx-trigger filter (eval'd)", "<input hx-trigger=\"keyup[key=='Enter']\">"),
        ("javascript: URL", '<a href="javascript:go()">'),
        ("style attribute", '<p class="x" style="color: red">'),
        ("<style> element", "<style>p {}</style>"),
    ],
)
def test_the_check_recognises(kind, markup):
    assert INLINE_CODE[kind].search(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<script src=\"{% static 'js/taskboard.js' %}\" defer></script>",
        '<script type="application/json" id="settings">{"a": 1}</script>',
        '<button class="btn" data-action="done" aria-label="Done: {{ task.title }}">',
        '<a href="{% url "x" %}" hx-get="/edit/" hx-target="#dialog-body">Edit</a>',
        '{% include "board/_card.html" with style="primary" %}',
    ],
)
def test_the_check_lets_safe_markup_through(markup):
    assert not any(pattern.search(markup) for pattern in INLINE_CODE.values())
