"""The Jinja2 environment: our templates plus the GOV.UK Frontend macros from `govuk-frontend-jinja`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from commonweal.domain.lifecycle import Role, Stage
from commonweal.domain.numbers import money
from commonweal.io.reports.render import decimal
from commonweal.web.areas import navigation


def environment(**options: Any) -> Environment:
    dirs = options.pop("loader").searchpath if "loader" in options else []
    options["loader"] = ChoiceLoader(
        [
            FileSystemLoader(dirs),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    env = Environment(**options)  # noqa: S701 (autoescape is set in settings.TEMPLATES)
    env.globals.update(
        {
            "static": static,
            "url": lambda name, *args: reverse(name, args=args),
            "get_messages": get_messages,
            "assetPath": settings.STATIC_URL.rstrip("/"),
            "Role": Role,
            "Stage": Stage,
            "navigation": navigation,
            "money": money,
        }
    )
    env.filters["money"] = money
    env.filters["descriptor_item"] = descriptor_item
    env.filters["decimal"] = decimal  # exact decimal strings in stored results back to Decimal, for `money`
    env.filters["select_item"] = lambda value: {"value": value, "text": value}
    env.filters["share"] = lambda value: "" if value is None else f"{value:.1%}"
    # a Django form's (value, label) choice as a GOV.UK radio item, checked when it is the value posted
    env.filters["choice_item"] = lambda choice, current: {"value": choice[0], "text": choice[1],
                                                          "checked": choice[0] == current}
    # a tender team member as a select item: their name, with the user name that identifies them
    env.filters["member_item"] = lambda m: {
        "value": m.username, "text": f"{m.display_name} ({m.username})" if m.display_name else m.username}
    return env


def descriptor_item(descriptor: Any, current: str) -> dict[str, Any]:
    """A scale descriptor as a GOV.UK radio item: the score, its label, and what earns it as the hint."""
    value = str(descriptor.score.normalize()) if hasattr(descriptor.score, "normalize") else str(descriptor.score)
    try:
        chosen = current not in ("", None) and value == str(Decimal(current).normalize())
    except ArithmeticError:  # a posted value that is not a number (refused by the form) checks no radio
        chosen = False
    return {"value": value, "text": f"{value}: {descriptor.label}", "hint": {"text": descriptor.description},
            "checked": chosen}
