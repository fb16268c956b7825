"""Secret tokens in links (private story links, stakeholder links, API tokens): only their hash is stored."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of ``token`` (looked up by equality).

    A token carries 256 bits of randomness, so a fast hash without salt is enough: there
    is nothing to guess by brute force, unlike a password.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
