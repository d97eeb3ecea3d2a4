"""Secrets (API tokens, display keys) are stored only as this digest."""

import hashlib


def secret_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()
