"""API tokens (create, revoke, authenticate) and the KPI-value queries the JSON API answers.

Functions add and flush; the caller commits.
"""
import hmac
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..auth.models import Store, User
from ..extensions import db
from ..kpis.models import Kpi, KpiValue
from ..timeutils import utcnow
from ..validation import whole_number
from .models import ApiToken, hash_token

TOKEN_PREFIX = "pw_"
DISPLAY_PREFIX_LENGTH = 10  # "pw_" and seven random characters: enough to tell tokens apart


# --- tokens ------------------------------------------------------------------------------

def create_token(store: Store, name: str, created_by_id: int | None) -> tuple[ApiToken, str]:
    """A new token for one store; the plaintext is returned once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(store_id=store.id, store=store, name=name.strip(), token_hash=hash_token(plaintext),
                     prefix=plaintext[:DISPLAY_PREFIX_LENGTH], created_by_id=created_by_id)
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def revoke_token(token: ApiToken) -> bool:
    """Revoke the token; False when it was revoked already (the first date is kept)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True


def bearer_value(header_value: str | None) -> str | None:
    """The token in an `Authorization: Bearer TOKEN` header, else None."""
    scheme, _, value = (header_value or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or " " in value:
        return None
    return value


def authenticate(header_value: str | None) -> ApiToken | None:
    """The active token named by an Authorization header, else None; records its use.

    The lookup is by the SHA-256 of the token, so the database never compares secrets; the final
    comparison is constant-time all the same.
    """
    plaintext = bearer_value(header_value)
    if plaintext is None or len(plaintext) > 200:
        return None
    digest = hash_token(plaintext)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest) or not token.is_active:
        return None
    token.last_used_at = utcnow()
    db.session.flush()
    return token


def find_token(ident: str) -> ApiToken | None:
    """A token by its id or its display prefix (for the command line); None when not exactly one."""
    ident = ident.strip()
    if ident.isdigit():
        token_id = whole_number(ident, "id")
        return db.session.get(ApiToken, token_id) if token_id else None
    matches = db.session.scalars(select(ApiToken).where(ApiToken.prefix == ident).limit(2)).all()
    return matches[0] if len(matches) == 1 else None


def tokens_stmt():
    return select(ApiToken).join(ApiToken.store).order_by(ApiToken.revoked_at.isnot(None), Store.code,
                                                            ApiToken.created_at.desc(), ApiToken.id.desc())


# --- reading KPI values ------------------------------------------------------------------

@dataclass(frozen=True)
class ValueFilter:
    kpi_id: int | None = None
    person_id: int | None = None  # with subject_given: None means the store itself
    subject_given: bool = False
    first: date | None = None
    last: date | None = None


def kpi_values_stmt(store_id: int, flt: ValueFilter):
    """One store's values as rows (kpi code, username or None, month, value, updated_at)."""
    stmt = (
        select(Kpi.code, User.username, KpiValue.month, KpiValue.value, KpiValue.updated_at)
        .select_from(KpiValue)
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .outerjoin(User, User.id == KpiValue.person_id)
        .where(KpiValue.store_id == store_id)
        .order_by(KpiValue.month, Kpi.code, KpiValue.subject_key, KpiValue.id)
    )
    if flt.kpi_id is not None:
        stmt = stmt.where(KpiValue.kpi_id == flt.kpi_id)
    if flt.subject_given:
        stmt = stmt.where(KpiValue.subject_key == (flt.person_id or 0))
    if flt.first is not None:
        stmt = stmt.where(KpiValue.month >= flt.first)
    if flt.last is not None:
        stmt = stmt.where(KpiValue.month <= flt.last)
    return stmt
