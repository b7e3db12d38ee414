"""What every rendered page must satisfy (as GOV.UK Notify checks its pages): a title, no duplicate ids."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.title = ""
        self._in_title = False
        self._in_style = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] += 1
        self._in_title = tag == "title"
        self._in_style = tag in {"style", "script"}

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._in_style:
            self.text.append(data)


def check_page(html: str) -> PageParser:
    """Parse `html`, assert it has a title and no id twice, and return the parser (its text is unescaped)."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    assert parser.title.strip(), "the page has no <title>"
    duplicates = sorted(i for i, n in parser.ids.items() if n > 1)
    assert not duplicates, f"duplicate ids: {duplicates}"
    return parser


def page_text(html: str) -> str:
    """The page's visible text with entities decoded and whitespace collapsed, for content assertions."""
    return " ".join(" ".join(check_page(html).text).split())
