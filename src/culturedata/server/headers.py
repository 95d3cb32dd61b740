"""The security headers every response carries: a strict Content-Security-Policy and its companions.

Every script and style of the pages is a file under /static, so the policy allows no inline
script or style ('unsafe-inline' nowhere, no `style=` attribute in a template). The JSON
islands of the pages (`<script type="application/json">`, the schema.org JSON-LD) are data
blocks, which browsers never run and a policy does not govern. The one exception is the
query page's editor (CodeMirror), which writes its own <style> element: that page is sent
with a policy naming a fresh nonce, which the editor puts on its element (`render` does it
for any template that asks for `style_nonce()`).

`secured(send)` wraps an ASGI `send`: `Endpoint` applies it to every HTTP request, the hot
SPARQL path included, so no route can forget it. The same headers on every response cost a
few hundred bytes and keep the rule one line long; on an answer that is not HTML they are
inert, except `nosniff`, which stops a browser from running a text answer as a script.
"""

from __future__ import annotations

from starlette.types import Message, Send


def content_security_policy(style_nonce: str | None = None, tiles: str = "", remote_images: bool = False) -> str:
    """The policy; `style_nonce` lets in the <style> elements that carry it (the query page's
    editor writes its own); `tiles`, a map tile URL (`server.map_tiles`), lets in images from
    its host, for the map pages only; `remote_images` lets in images from any web site, for the
    entity pages, which show the records' images. Scripts and styles stay our own files."""
    tile_host = f" {tile_source(tiles)}" if tiles else ""
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{style_nonce}'" if style_nonce else "style-src 'self'",
        # data: for the empty favicon, which spares a request for /favicon.ico; the records' images
        # (entity pages) come from museums' own sites, the map's tiles from the configured host
        f"img-src 'self' data:{' http: https:' if remote_images else ''}{tile_host}",
        "connect-src 'self'",  # the query page posts to /sparql
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ])


def tile_source(tiles: str) -> str:
    """The CSP source of a tile URL: its scheme and host (`{s}.` as `*.`, any subdomain), and port.
    config.py has checked its shape (TILE_URL)."""
    scheme, _, rest = tiles.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host.replace('{s}.', '*.', 1)}"


CONTENT_SECURITY_POLICY = content_security_policy()
# Browser features no page uses, refused to the page and to anything it could embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
    )
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Other sites learn that a visitor came from here, never which page or query.
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors, for browsers that predate it
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
]
_NAMES = {name for name, _ in SECURITY_HEADERS}


def secured(send: Send) -> Send:
    """`send`, with the security headers added to the response's start (a route's own value wins)."""

    async def send_secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers} & _NAMES
            headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
            message = {**message, "headers": headers}
        await send(message)

    return send_secured
