"""Where credentials may be sent: https, or plain http to this machine only.

A `.env` file in the working directory (a cloned repository) could set a platform's token URL
to a plain-http host and receive the client secret. So every URL that receives a credential (a
token endpoint gets the client secret, an API base URL the bearer token) must be https, unless
its host is loopback (a local sandbox or a TLS-terminating proxy on this machine). Whether a
URL stays in the platform's documented domain is a warning, not a refusal (a company proxy is
legitimate); `check` shows it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`; names are not resolved, so any other name is remote."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if bare.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def url_problem(url: str, *, plain_http_risk: str) -> str | None:
    """Why the server must not trust `url` with something, or None: https, or plain http to this
    machine only. `plain_http_risk` says what plain http to another machine would risk."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return f"{url!r} is not a URL"
    if parts.scheme not in ("https", "http") or not host:
        return f"{url!r} is not an https URL"
    if parts.username is not None or parts.password is not None:
        return f"{url!r} holds a user name or password; put credentials in their own settings"
    if parts.scheme == "http" and not is_loopback(host):
        return (
            f"{url!r} is plain http to another machine: {plain_http_risk}. Use https (plain http is accepted "
            "for loopback hosts only: 127.0.0.1, ::1, localhost)"
        )
    return None


def credential_url_problem(url: str) -> str | None:
    """Why credentials must not be sent to `url`, or None when they may."""
    return url_problem(url, plain_http_risk="it would send credentials unencrypted")


def within_domain(url: str, domain: str) -> bool:
    """Whether `url`'s host is `domain` or one of its subdomains."""
    host = host_of(url)
    return host == domain or host.endswith(f".{domain}")
