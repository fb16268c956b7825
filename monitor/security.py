"""Security headers on every response (and no caching of anything personal)."""

from __future__ import annotations

from flask import Flask, Response, request

from .logscrub import has_secret

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    """Add CSP (no inline script), nosniff, referrer and framing headers."""

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # A private link's page must not hand its URL (the secret) to the requests it makes.
        headers.setdefault("Referrer-Policy", "no-referrer" if has_secret(request.path) else "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages, exports, PDFs and API answers can hold personal data: never stored in any
        # cache unless the view chose otherwise (static files carry their own no-cache).
        headers.setdefault("Cache-Control", "no-store")
        return response
