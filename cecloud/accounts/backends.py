"""Login by ID number (learners) or login name (staff) + password.

Learners: only people in the registry whose status is 在岗 can log in. The first login uses the
default password, the last six characters of the ID number; it creates the account and flags it
so that a new password must be set before anything else.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.db import IntegrityError, transaction

from cecloud.core.ids import IdError, validate_id_number
from cecloud.core.login_name import normalize_login
from cecloud.core.roles import Role
from cecloud.registry.models import Person, PersonStatus

from .models import User


def default_password_for(id_number: str) -> str:
    return id_number[-6:]


class RegistryBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = normalize_login(username)  # the same name the lockout counts (core/login_name.py)
        try:
            id_number = validate_id_number(login)
        except IdError:
            return self._authenticate_staff(login, password)
        return self._authenticate_learner(id_number, password)

    def _authenticate_staff(self, username: str, password: str):
        user = User.objects.filter(username=username).exclude(role=Role.LEARNER).first()
        if user is None:
            User().set_password(password)  # equalise timing with an existing account
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def _authenticate_learner(self, id_number: str, password: str):
        person = Person.objects.filter(id_number=id_number).select_related("user").first()
        if person is None or person.status != PersonStatus.ACTIVE:
            User().set_password(password)
            return None
        user = getattr(person, "user", None)
        if user is None:
            if password != default_password_for(id_number):
                User().set_password(password)
                return None
            return self._create_learner_account(person, password)
        if user.is_active and user.check_password(password):
            return user
        return None

    def _create_learner_account(self, person: Person, password: str) -> User | None:
        try:
            with transaction.atomic():
                user = User.for_learner(person, must_change_password=True)
                user.set_password(password)
                user.save()
                return user
        except IntegrityError:  # two first logins at once: the other one created it
            user = User.objects.filter(person=person).first()
            return user if user and user.check_password(password) else None

    def get_user(self, user_id):
        user = User.objects.filter(pk=user_id).select_related("person").first()
        if user is None or not user.is_active:
            return None
        if user.role == Role.LEARNER and (user.person is None or user.person.status != PersonStatus.ACTIVE):
            return None
        return user
