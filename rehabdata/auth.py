"""Users and passwords: argon2id hashes, a minimum length, and user creation.

Login, lockout, idle timeout and the ``Principal`` passed to every service and KPI build on this.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from rehabdata.models import Facility, Region, Role, User, UserScope

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking the minimum length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    *,
    session: Session,
    username: str,
    role: Role,
    password: str,
    full_name: str = "",
    email: str | None = None,
    facility_codes: tuple[str, ...] = (),
    region_codes: tuple[str, ...] = (),
) -> User:
    """Create a user with a hashed password and a facility/region scope (flushed, not committed)."""
    username = username.strip().lower()
    if not username:
        raise UserError("username is required")
    if session.exec(select(User).where(User.username == username)).first():
        raise UserError(f"user {username!r} already exists")
    user = User(
        username=username,
        role=Role(role),
        full_name=full_name,
        email=email,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    for code in facility_codes:
        facility = session.exec(select(Facility).where(Facility.code == code)).first()
        if facility is None:
            raise UserError(f"unknown facility code {code!r}")
        session.add(UserScope(user_id=user.id, facility_id=facility.id))
    for code in region_codes:
        region = session.exec(select(Region).where(Region.code == code)).first()
        if region is None:
            raise UserError(f"unknown region code {code!r}")
        session.add(UserScope(user_id=user.id, region_id=region.id))
    session.flush()
    return user
