"""The headers every answer carries (SecurityHeaders in middleware.py adds them; the Lambda
lane, which loads no Starlette, adds the same)."""

from __future__ import annotations

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    # A receipt PDF previews in an <iframe> of its bytes, fetched by the page with the token
    # (a blob: URL of the page's own origin, typed application/pdf by the server's check).
    "frame-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), microphone=()"),
]


# Each answer's extra headers, made once: a request only filters out those already set.
API_HEADERS = (
    *COMMON_HEADERS,
    (b"content-security-policy", API_CSP.encode()),
    (b"cache-control", b"no-store"),
)
PAGE_HEADERS = (*COMMON_HEADERS, (b"content-security-policy", PAGE_CSP.encode()))
