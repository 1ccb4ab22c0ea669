"""Who may talk to ``spikedesk serve``: requests must name the served address in their Host
header (a DNS-rebinding page at evil.example resolving to 127.0.0.1 sends ``Host:
evil.example``), and, when the server has a token, carry it.

The token comes once in the URL (``/?token=...``, the link ``serve`` prints); the server then
answers with a cookie and a redirect to the same page without the token, so the token does not
stay in the address bar or the history. Later requests (the page, its resources, the
websocket) carry the cookie; scripts may send ``Authorization: Bearer TOKEN`` instead.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlencode

import tornado.web

COOKIE = "spikedesk_token"


def loopback(address: str) -> bool:
    """Whether binding ``address`` serves this machine only."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(address: str, port: int, extra: tuple[str, ...] = ()) -> set[str]:
    """The Host header values that name this server: the bound address, the loopback names
    when it is bound to loopback or to every interface, this machine's names and addresses
    when bound to every interface, and ``extra`` names (``serve --allow-host``)."""
    hosts = {address, *extra}
    if loopback(address) or address in ("0.0.0.0", "::"):
        hosts |= {"localhost", "127.0.0.1", "[::1]"}
    if address in ("0.0.0.0", "::"):
        hosts |= machine_names()
    hosts = {f"[{h}]" if ":" in h and not h.startswith("[") else h for h in hosts}
    return {f"{h}:{port}".lower() for h in hosts} | (
        {h.lower() for h in hosts} if port == 80 else set()
    )


def machine_names() -> set[str]:
    """This machine's host names and the addresses they resolve to."""
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        try:
            names |= {info[4][0] for info in socket.getaddrinfo(name, None)}
        except OSError:
            pass
    return {n for n in names if n}


class Refusal(tornado.web.RequestHandler):
    """A plain-text 4xx answer."""

    def initialize(self, status: int, message: str) -> None:
        self.status, self.message = status, message

    def prepare(self) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.message + "\n")


class TokenCookie(tornado.web.RequestHandler):
    """Sets the token cookie and sends the browser to the page without the token."""

    def initialize(self, token: str) -> None:
        self.token = token

    def prepare(self) -> None:
        self.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        query = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
        query.pop("token", None)
        self.set_header("Cache-Control", "no-store")
        self.redirect(self.request.path + (f"?{urlencode(query)}" if query else ""))


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def check(request, hosts: set[str], token: str | None) -> tuple[type, dict] | None:
    """The handler that answers ``request`` instead of the app, or None to let it through."""
    host = request.headers.get("Host", "")
    if host.lower() not in hosts:
        message = f"spikedesk: this server answers to {', '.join(sorted(hosts))} only"
        return Refusal, {"status": 403, "message": message}
    if token is None:
        return None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and _same(header[7:].strip(), token):
        return None
    cookie = request.cookies.get(COOKIE)
    if cookie is not None and _same(cookie.value, token):
        return None
    query = request.query_arguments.get("token")
    if query and _same(query[-1].decode("utf-8", "replace"), token):
        return TokenCookie, {"token": token}
    message = "spikedesk: this server needs its token; open the link `spikedesk serve` printed"
    return Refusal, {"status": 401, "message": message}


def protect(app: tornado.web.Application, hosts: set[str], token: str | None) -> None:
    """Put the Host and token check in front of every handler of ``app``."""
    hosts = {h.lower() for h in hosts}
    find_handler = app.find_handler

    def guarded(request, **kwargs):
        refusal = check(request, hosts, token)
        if refusal is not None:
            return app.get_handler_delegate(request, refusal[0], refusal[1])
        return find_handler(request, **kwargs)

    app.find_handler = guarded
