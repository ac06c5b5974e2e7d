"""Roles and the view guards that check them (every app's pages use these).

A user's role says what it may see: a learner their own data, unit HR their unit, a bureau its
region, an operator everything (through the back office). The scope itself (``user.unit``,
``user.region``) lives on the account (``cecloud.accounts.models.User``).
Anonymous users go to login; a wrong role gets 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    LEARNER = "learner", "学员"
    UNIT_HR = "unit_hr", "单位管理员"
    BUREAU = "bureau", "人社局管理员"
    OPERATOR = "operator", "平台运营"


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("无权访问")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


learner_required = role_required(Role.LEARNER)
unit_hr_required = role_required(Role.UNIT_HR)
bureau_required = role_required(Role.BUREAU)
staff_portal_required = role_required(Role.UNIT_HR, Role.BUREAU)
operator_required = role_required(Role.OPERATOR)
