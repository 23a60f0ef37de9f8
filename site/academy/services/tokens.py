"""Bearer tokens with which the course platform pushes eligibility."""

import hashlib
import hmac
import secrets
from dataclasses import replace

from academy.domain.errors import Conflict, Invalid, NotFound
from academy.domain.records import ApiToken
from academy.services.context import Context, new_id

MAX_NAME = 100


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Tokens:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def create(self, name: str, actor: str) -> tuple[ApiToken, str]:
        """A new token; the secret is returned once and only its hash is kept."""
        name = " ".join(name.split())
        if not name:
            raise Invalid(
                "Name the token, e.g. the platform using it.", {"name": "Required."}
            )
        if len(name) > MAX_NAME:
            raise Invalid(
                f"The name is {len(name):,} characters long; the most is {MAX_NAME}.",
                {"name": f"Keep the name to {MAX_NAME} characters or fewer."},
            )
        secret = f"acad_{secrets.token_urlsafe(32)}"
        token = ApiToken(new_id("t"), name, _hash(secret), actor, self.ctx.now())
        self.ctx.store.save_token(token)
        self.ctx.audit(actor, "token.create", token.id, name)
        return token, secret

    def check(self, secret: str) -> ApiToken | None:
        digest = _hash(secret)
        for token in self.ctx.store.tokens():
            if token.revoked_at is None and hmac.compare_digest(
                token.token_hash, digest
            ):
                return token
        return None

    def revoke(self, token_id: str, actor: str) -> None:
        """Stop a token working; Conflict if it was revoked already."""
        # Two managers revoking at once must not both pass the check.
        with self.ctx.store.lock("tokens"):
            tokens = self.ctx.store.tokens()
            token = next((t for t in tokens if t.id == token_id), None)
            if token is None:
                raise NotFound("No such token.")
            if token.revoked_at is not None:
                raise Conflict(f"The token “{token.name}” was already revoked.")
            self.ctx.store.save_token(replace(token, revoked_at=self.ctx.now()))
            self.ctx.audit(actor, "token.revoke", token.id, token.name)

    def all(self) -> list[ApiToken]:
        return sorted(self.ctx.store.tokens(), key=lambda t: t.created_at, reverse=True)
