"""People: tenants and users, API tokens, passwords, sign-in and sessions."""

from booking.services.people.auth import (
    TOKEN_PREFIX,
    authenticate,
    digest,
    issue_token,
    issue_token_for_email,
    revoke_token,
    tokens_of,
)
from booking.services.people.membership import rename_self, update_user
from booking.services.people.passwords import (
    SignInRefusedError,
    TooManyAttemptsError,
    end_sessions,
    set_password,
    set_password_now,
    sign_in,
)
from booking.services.people.privacy import erase_person, export_person
from booking.services.people.resets import (
    ResetLinkError,
    change_password,
    check_reset_link,
    invite,
    request_reset,
    reset_password,
)
from booking.services.people.users import (
    add_user,
    create_tenant,
    create_user,
    create_user_from_cli,
    get_user,
    list_tenants,
    list_users,
    update_tenant,
)

__all__ = [
    "rename_self",
    "update_user",
    "erase_person",
    "export_person",
    "ResetLinkError",
    "change_password",
    "check_reset_link",
    "invite",
    "request_reset",
    "reset_password",
    "update_tenant",
    "SignInRefusedError",
    "TOKEN_PREFIX",
    "TooManyAttemptsError",
    "add_user",
    "authenticate",
    "create_tenant",
    "create_user",
    "create_user_from_cli",
    "digest",
    "end_sessions",
    "get_user",
    "issue_token",
    "issue_token_for_email",
    "list_tenants",
    "list_users",
    "revoke_token",
    "tokens_of",
    "set_password",
    "set_password_now",
    "sign_in",
]
