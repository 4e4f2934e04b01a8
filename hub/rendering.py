"""Templates of the survey pages and e-mails, rendered with autoescaping so that
nothing a survey or a person wrote can turn into markup."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hub import i18n


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hub", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["decimal"] = i18n.decimal  # `{{ value|decimal(1, lang) }}`
    return env


def render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)
