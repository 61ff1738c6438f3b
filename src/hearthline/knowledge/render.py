"""Markdown to HTML that is safe to put in a page.

Markdown is parsed with raw HTML switched off (CommonMark through markdown-it-py), and
the result still goes through nh3's allow-list: a link's scheme, an attribute or a tag
that a future parser option lets through cannot reach the desktop either way.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto", "tel"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_md.enable("strikethrough")


def to_html(markdown: str) -> str:
    """The article's body as sanitized HTML; links open outside the desktop."""
    return nh3.clean(
        _md.render(markdown),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(markdown: str) -> str:
    """The text of the body without markup: what search indexes and snippets show."""
    return html.unescape(nh3.clean(_md.render(markdown), tags=set())).strip()
