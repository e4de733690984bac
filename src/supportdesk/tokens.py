"""Random secrets and their stored hashes; signed visitor tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from supportdesk.errors import Unauthorized


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is enough (no slow hash needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


def identity_hash(secret: str, user_id: str) -> str:
    """What the host site computes: hex HMAC-SHA256 of the user id with the identity secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def check_identity_hash(secret: str, user_id: str, given: str) -> bool:
    return hmac.compare_digest(identity_hash(secret, user_id), given.strip().lower())


class VisitorTokens:
    """A visitor token names a contact; the widget keeps it so a returning visitor is known."""

    def __init__(self, secret_key: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="supportdesk.visitor")
        self.max_age = max_age

    def issue(self, contact_id: int) -> str:
        return self._serializer.dumps({"c": contact_id})

    def contact_id(self, token: str) -> int:
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise Unauthorized("visitor token expired", code="token_expired") from None
        except BadSignature:
            raise Unauthorized("visitor token is invalid", code="token_invalid") from None
        if not isinstance(data, dict) or not isinstance(data.get("c"), int):
            raise Unauthorized("visitor token is invalid", code="token_invalid")
        return int(data["c"])
