"""Accounts: registering, signing in and out, managers."""

import hashlib
import logging
import os
import re
import secrets
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from academy.domain.errors import Conflict, Invalid, NotFound, TooManyRequests
from academy.domain.names import name_problem
from academy.domain.records import Role, User
from academy.services.context import Context, new_id
from academy.services.throttle import LoginThrottle

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10
# Matches the cookie's lifetime; the server refuses older sessions itself.
SESSION_DAYS = 30
MAX_PASSWORD = 1024
# How much lower the hashing thread's CPU priority is than the server's.
HASHING_NICE = 10


def _lower_priority() -> None:
    """Make the calling thread yield the CPU to others (Linux: nice is per thread)."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


# Hashing is deliberately expensive (64 MiB and most of a core for a tenth of
# a second). Every hash and every check in the process runs on this one
# thread, one at a time and at a lower CPU priority, so a burst of sign-ins
# takes at most one core, yields it to page serving, and holds one hash's
# memory rather than one per request.
_HASHING = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="argon2", initializer=_lower_priority
)


def token_hash(token: str) -> str:
    """Sessions are stored by hash, so a copy of the data cannot sign anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str) -> str:
    """The name trimmed, inner runs of space folded; Invalid if it cannot be used."""
    cleaned = " ".join(name.split())
    problem = name_problem(cleaned)
    if problem:
        raise Invalid(problem, {"name": problem})
    return cleaned


def validate_registration(name: str, email: str, password: str) -> dict[str, str]:
    """Field-by-field problems with a registration form (empty when valid)."""
    errors = {}
    problem = name_problem(" ".join(name.split()))
    if problem:
        errors["name"] = problem
    if not EMAIL.match(email.strip()) or len(email) > 254:
        errors["email"] = "Enter an email address like name@example.org."
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"Use at most {MAX_PASSWORD} characters."
    return errors


class Accounts:
    def __init__(
        self, ctx: Context, on_register: Callable[[str], object] | None = None
    ) -> None:
        self.ctx = ctx
        # Called with each new account's id, so overviews list it at once.
        self.on_register = on_register
        s = ctx.settings
        self.hasher = PasswordHasher(
            time_cost=s.argon2_time_cost,
            memory_cost=s.argon2_memory_kib,
            parallelism=s.argon2_parallelism,
            type=Type.ID,
        )
        self.throttle = LoginThrottle(s.login_failures_allowed, s.login_window_seconds)
        # A client address may be shared (an office, a classroom behind one
        # NAT), so it gets a larger allowance than a single account.
        self.client_throttle = LoginThrottle(
            s.login_failures_allowed * 4, s.login_window_seconds
        )
        self._hashing = _HASHING
        # Verifying against this when the email is unknown keeps timing even.
        self._dummy_hash = self._hash(secrets.token_hex(16))

    def _hash(self, password: str) -> str:
        return self._hashing.submit(self.hasher.hash, password).result()

    def register(
        self, name: str, email: str, password: str, role: Role = Role.LEARNER
    ) -> User:
        """Create an account in the open cohort, whose schedule starts today."""
        errors = validate_registration(name, email, password)
        if errors:
            raise Invalid("Please correct the highlighted fields.", errors)
        cohort = self.ctx.open_cohort()
        schedule_start = self.ctx.now().astimezone(ZoneInfo(cohort.timezone)).date()
        user = User(
            id=new_id("u"),
            email=email.strip(),
            name=clean_name(name),
            password_hash=self._hash(password),
            role=role,
            created_at=self.ctx.now(),
            cohort_id=cohort.id,
            start_date=schedule_start,
        )
        try:
            self.ctx.store.add_user(user)
        except Conflict:
            raise Invalid(
                "An account with this email address already exists.",
                {"email": "This email is already registered. Sign in instead."},
            ) from None
        logger.info("account registered: %s", user.id)
        if self.on_register is not None:
            self.on_register(user.id)
        return user

    def authenticate(self, email: str, password: str, client: str) -> User:
        """The user whose email and password these are; throttles failures."""
        account_key = f"account:{email.strip().casefold()}"
        client_key = f"client:{client}"
        # The failure is counted before the slow check and taken back on
        # success, so guesses in flight together cannot all pass the limit.
        account_stamp = self.throttle.reserve(account_key)
        try:
            client_stamp = self.client_throttle.reserve(client_key)
        except TooManyRequests:
            self.throttle.refund(account_key, account_stamp)
            raise
        user = self.ctx.store.user_by_email(email)
        # An unknown email is checked too (against a dummy hash), so the time a
        # refusal takes does not tell whether the account exists.
        stored = user.password_hash if user is not None else None
        if not self._verify(stored, password) or user is None:
            raise Invalid("That email and password do not match an account.")
        self.throttle.clear(account_key)
        self.client_throttle.refund(client_key, client_stamp)
        if self.hasher.check_needs_rehash(user.password_hash):
            return self._rehash(user.id, password)
        return user

    def _rehash(self, user_id: str, password: str) -> User:
        """Store a hash with today's parameters without undoing a concurrent change.

        The slow hash runs outside the lock; the user is read again under it,
        so an extension or a move saved meanwhile is kept.
        """
        new_hash = self._hash(password)
        with self.ctx.store.learner_lock(user_id):
            current = self.require_user(user_id)
            updated = replace(current, password_hash=new_hash)
            self.ctx.store.save_user(updated)
        return updated

    def _verify(self, stored: str | None, password: str) -> bool:
        check = self._hashing.submit(
            self.hasher.verify, stored or self._dummy_hash, password
        )
        try:
            return check.result() and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def start_session(self, user: User) -> str:
        """A new random session token; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        now = self.ctx.now()
        self.ctx.store.add_session(
            user.id, token_hash(token), now, now - timedelta(days=SESSION_DAYS)
        )
        return token

    def session_user(self, token: str) -> User | None:
        """The user of an open session; sessions end after SESSION_DAYS."""
        oldest = self.ctx.now() - timedelta(days=SESSION_DAYS)
        user_id = self.ctx.store.session_user(token_hash(token), oldest)
        return self.ctx.store.user(user_id) if user_id else None

    def end_session(self, user_id: str, token: str) -> None:
        self.ctx.store.remove_sessions(user_id, token_hash(token))

    def create_manager(
        self, email: str, password: str | None, name: str | None = None
    ) -> tuple[User, bool]:
        """Promote an existing account, or create a manager; True if created."""
        existing = self.ctx.store.user_by_email(email)
        if existing is not None and existing.is_manager and not password:
            return existing, False  # nothing to change, nothing to audit
        if existing is not None:
            promoted = replace(existing, role=Role.MANAGER)
            if password:
                if len(password) < MIN_PASSWORD:
                    raise Invalid(
                        f"Use a password of at least {MIN_PASSWORD} characters."
                    )
                promoted = replace(promoted, password_hash=self._hash(password))
            self.ctx.store.save_user(promoted)
            self.ctx.audit("cli", "manager.promote", existing.id, existing.email)
            return promoted, False
        if not password:
            raise Invalid("A new manager needs a password.")
        user = self.register(name or email.split("@")[0], email, password, Role.MANAGER)
        self.ctx.audit("cli", "manager.create", user.id, user.email)
        return user, True

    def require_user(self, user_id: str) -> User:
        user = self.ctx.store.user(user_id)
        if user is None:
            raise NotFound("No such learner.")
        return user
