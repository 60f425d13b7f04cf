"""Curator accounts: who may decide, and the groups that say so."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from jurisdictions.models import OneTimePassword
from jurisdictions.permissions import CURATOR_PERMISSIONS, OPERATOR_PERMISSIONS
from jurisdictions.selectors import user_is_curator


def curator_require(*, user) -> None:
    if not user_is_curator(user):
        raise PermissionDenied("Only members of the Curators group may review and decide.")


@transaction.atomic
def curator_create(
    *, username: str, email: str, password: str | None, operator: bool = False
) -> tuple:
    """A staff user in the Curators group (and the Operators group when `operator`).
    Without a password, one is generated and returned; the user must change it at first
    login (OneTimePassword)."""
    User = get_user_model()
    if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        raise ValidationError(f"A user named {username!r} already exists.")
    validate_email(email)
    generated = not password
    password = password or secrets.token_urlsafe(15)
    user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(curators_group_sync())
    if operator:
        user.groups.add(operators_group_sync())
    if generated:
        OneTimePassword.objects.create(user=user, password_hash=user.password)
    return user, password


def one_time_password_forget(*, user) -> None:
    """The user chose their own password: their one-time one is no longer asked about."""
    OneTimePassword.objects.filter(user=user).delete()


def curators_group_sync() -> Group:
    """The Curators group with exactly CURATOR_PERMISSIONS (created if it went missing)."""
    return _group_sync(settings.CURATORS_GROUP, CURATOR_PERMISSIONS)


def operators_group_sync() -> Group:
    """The Operators group with exactly OPERATOR_PERMISSIONS (created if it went missing)."""
    return _group_sync(settings.OPERATORS_GROUP, OPERATOR_PERMISSIONS)


def _group_sync(name: str, wanted_permissions: list[tuple[str, str]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for app_label, codename in wanted_permissions:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(wanted_permissions):
        raise ImproperlyConfigured(f"Some {name} permissions are missing: run migrate.")
    group.permissions.set(permissions)
    return group
