"""HTML pages from Jinja2 templates, in the visitor's language (fr by default)."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from culturedata.messages import t
from culturedata.pooling import local_name
from culturedata.server.headers import content_security_policy
from culturedata.server.negotiation import language

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"


SHAPES = "https://w3id.org/culturedata/shapes/"


def rule_name(rule: str) -> str:
    """A rule as people read it: the profile's shape IRIs without their common prefix."""
    return rule[len(SHAPES):] if rule.startswith(SHAPES) else rule


@cache
def environment() -> Environment:
    # Compiled once: the templates are part of the installed package, never edited under a running server.
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml"]),
                      auto_reload=False)
    env.filters["rule"] = rule_name
    env.filters["local_name"] = local_name
    return env


def page_lang(request: Request) -> str:
    return language(
        request.headers.get("accept-language"), request.query_params.get("lang"), request.cookies.get("lang")
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request)

    def text(code: str, **params: Any) -> str:
        return t(code, lang, **params)

    nonces: list[str] = []

    def style_nonce() -> str:
        """A nonce for the <style> elements a script of the page writes, made on first use."""
        if not nonces:
            nonces.append(secrets.token_urlsafe(18))
        return nonces[0]

    html = environment().get_template(template).render(
        request=request, lang=lang, _=text, path=request.url.path,
        base=request.app.state.settings.base_iri, style_nonce=style_nonce, **context
    )
    headers = {"Vary": "Accept, Accept-Language, Cookie"}
    if nonces:
        headers["Content-Security-Policy"] = content_security_policy(style_nonce=nonces[0])
    response = HTMLResponse(html, status_code=status, headers=headers)
    if request.query_params.get("lang") in ("fr", "en"):
        response.set_cookie("lang", request.query_params["lang"], max_age=365 * 24 * 3600, samesite="lax")
    return response
