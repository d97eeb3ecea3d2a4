"""Markdown for descriptions and comments, rendered once when written.

markdown-it-py parses CommonMark with raw HTML off (a `<script>` is shown as text),
an inline rule turns `@username` of a board member into a link (anyone else's stays
plain text), and nh3 then keeps only a fixed set of tags and attributes, with links
only to http(s) and mailto and marked `rel="noopener nofollow"`: whatever the parser
lets through, the sanitizer has the last word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

# Usernames never contain "@" (accounts.validators); a final "." ends the sentence.
MENTION_PATTERN = re.compile(r"@([\w.+-]*[\w+-])")
MENTION_BEFORE = re.compile(r"[\s(\[{>\"'*_~,;:!?]")

ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class", "data-user"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def mentioned_usernames(text: str) -> set[str]:
    """Lowercased usernames written as @name in `text` (members or not)."""
    found = set()
    for match in MENTION_PATTERN.finditer(text):
        start = match.start()
        if start == 0 or MENTION_BEFORE.match(text[start - 1]):
            found.add(match.group(1).lower())
    return found


def markdown_html(text: str, *, members: Mapping[str, tuple[int, str]] | None = None) -> str:
    """Safe HTML for `text`. `members` maps lowercased usernames to (user id, link)
    for the mentions to render as links."""
    if not text:
        return ""
    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    parser.inline.ruler.before("emphasis", "mention", _mention_rule(members or {}))
    parser.add_render_rule("mention", _mention_render)
    return nh3.clean(
        parser.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )


def _mention_rule(members: Mapping[str, tuple[int, str]]):
    def mention(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != "@":
            return False
        if state.pos > 0 and not MENTION_BEFORE.match(state.src[state.pos - 1]):
            return False
        match = MENTION_PATTERN.match(state.src, state.pos)
        if match is None or match.group(1).lower() not in members:
            return False
        if not silent:
            token = state.push("mention", "", 0)
            token.content = match.group(1)
            token.meta = {"user": members[match.group(1).lower()]}
        state.pos = match.end()
        return True

    return mention


def _mention_render(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    user_id, link = token.meta["user"]
    name = escapeHtml(token.content)
    return f'<a class="mention" data-user="{user_id}" href="{link}">@{name}</a>'
