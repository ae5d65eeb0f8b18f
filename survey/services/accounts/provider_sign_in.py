"""Sign-in through an OpenID Connect provider: the person the provider vouches for is matched to
an existing, active account by verified e-mail address; never a new account.

The web layer (``survey/web/accounts/oidc.py``) runs the protocol with Authlib and passes the
verified claims here; this module decides who that is and opens the session.
"""

from __future__ import annotations

from sqlmodel import Session, select

from survey.errors import Forbidden
from survey.models import User
from survey.services.accounts.sessions import SignedIn, all_grants_under, open_session
from survey.services.accounts.users import normalise_email


def sign_in_verified(
    session: Session,
    *,
    provider: str,
    email: object,
    email_verified: object,
    organiser_id: int | None,
    ip: str,
    hours: int,
) -> SignedIn:
    """Open a session for the account with the provider's verified e-mail address.

    Refused (``Forbidden``, nothing changed): no address or one the provider has not verified
    (``email_verified`` must be the JSON ``true``); no active account with that address; and, for
    an organiser's provider (``organiser_id``), an account with a role grant outside that
    organiser (an admin's, national staff's, another organiser's): an organiser's provider only
    vouches for the organiser's own people.
    """
    if not isinstance(email, str) or not email.strip() or email_verified is not True:
        raise Forbidden("err.oidc.email_unverified")
    address = normalise_email(email)
    user = session.exec(select(User).where(User.email == address)).first()
    if user is None or not user.is_active:
        raise Forbidden("err.oidc.no_account", email=address)
    if organiser_id is not None and not all_grants_under(
        session, user=user, organiser_id=organiser_id
    ):
        raise Forbidden("err.oidc.other_organiser", email=address)
    return open_session(session, user=user, ip=ip, hours=hours, provider=provider)
