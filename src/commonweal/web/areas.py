"""The workspace's areas, in navigation order. An area appears here when its pages exist (never a dead link):
each new area adds one line."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Area:
    label: str
    url_name: str
    # the paths that belong to the area, for marking the active item
    prefixes: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area("Home", "home", ("/organisations/",)),
    Area("Tenders", "tenders", ("/tenders/",)),
    Area("Suppliers", "suppliers", ("/suppliers/",)),
    Area("Social value", "socialvalue", ("/social-value/",)),
    Area("Contracts", "contracts", ("/contracts/",)),
    Area("Publishing", "publishing_index", ("/publishing/",)),
    Area("Provider portal", "portal", ("/portal/",)),
    Area("Spend", "spend_home", ("/spend/",)),
)


def navigation(request: HttpRequest) -> list[dict[str, object]]:
    """GOV.UK service navigation items for the signed-in person; nothing for a visitor who is signed out."""
    if not request.user.is_authenticated:
        return []
    items = []
    for area in AREAS:
        href = reverse(area.url_name)
        active = request.path == href or any(request.path.startswith(p) for p in area.prefixes)
        items.append({"href": href, "text": area.label, "active": active})
    return items
