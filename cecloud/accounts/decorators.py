"""Role guards for views. Anonymous users go to login; a wrong role gets 403."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role


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
