"""Who may open what: one table of URLs × roles (issue 7, "Done when").

Unit HR: 404 on another unit's worker, 403 on every bureau page. County bureau: 404 on another
county's region, unit, worker and exports. Learners and operators: 403 on every staff page.
Anonymous: redirected to the login page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from cecloud.registry.models import CorrectionRequest

ROLES = ["learner", "hr_a", "hr_b", "bureau_city", "bureau_haizhou", "bureau_ganyu", "bureau_nanjing", "operator"]

SCHEDULE_POST = {
    "region": "320700",
    "year": "2023",
    "register_start": "2023-09-10",
    "register_end": "2023-10-20",
    "study_start": "2023-09-10",
    "study_end": "2023-10-25",
    "catch_up_open": "on",
}

# name: (method, url builder, expected status per role in ROLES order)
TABLE = {
    "unit workers": ("get", lambda w: reverse("oversight:unit_workers"), [403, 200, 200, 403, 403, 403, 403, 403]),
    "unit export": ("get", lambda w: reverse("oversight:unit_export"), [403, 200, 200, 403, 403, 403, 403, 403]),
    "unit reminders": ("get", lambda w: reverse("oversight:unit_reminders"), [403, 200, 200, 403, 403, 403, 403, 403]),
    "remind worker A": (
        "post",
        lambda w: reverse("oversight:unit_reminders"),
        [403, 302, 302, 403, 403, 403, 403, 403],  # hr_b's attempt is refused by the service (see below)
    ),
    "worker A (海州 unit A)": (
        "get",
        lambda w: reverse("oversight:worker_detail", args=[w.person_a.pk]),
        [403, 200, 404, 200, 200, 404, 404, 403],
    ),
    "worker A full ID": (
        "post",
        lambda w: reverse("oversight:worker_detail", args=[w.person_a.pk]),
        [403, 200, 404, 200, 200, 404, 404, 403],
    ),
    "worker C (赣榆)": (
        "get",
        lambda w: reverse("oversight:worker_detail", args=[w.person_c.pk]),
        [403, 404, 404, 200, 404, 200, 404, 403],
    ),
    "dashboard": ("get", lambda w: reverse("oversight:bureau_dashboard"), [403, 403, 403, 200, 200, 200, 200, 403]),
    "dashboard 赣榆": (
        "get",
        lambda w: reverse("oversight:bureau_dashboard") + "?region=320707",
        [403, 403, 403, 200, 404, 200, 404, 403],
    ),
    "statistics export 赣榆": (
        "get",
        lambda w: reverse("oversight:bureau_export") + "?region=320707",
        [403, 403, 403, 200, 404, 200, 404, 403],
    ),
    "units": ("get", lambda w: reverse("oversight:bureau_units"), [403, 403, 403, 200, 200, 200, 200, 403]),
    "units 海州": (
        "get",
        lambda w: reverse("oversight:bureau_units") + "?region=320706",
        [403, 403, 403, 200, 200, 404, 404, 403],
    ),
    "unit A page": (
        "get",
        lambda w: reverse("oversight:bureau_unit", args=[w.unit_a.pk]),
        [403, 403, 403, 200, 200, 404, 404, 403],
    ),
    "unit C page": (
        "get",
        lambda w: reverse("oversight:bureau_unit", args=[w.unit_c.pk]),
        [403, 403, 403, 200, 404, 200, 404, 403],
    ),
    "unit C export": (
        "get",
        lambda w: reverse("oversight:bureau_unit_export", args=[w.unit_c.pk]),
        [403, 403, 403, 200, 404, 200, 404, 403],
    ),
    "schedules": ("get", lambda w: reverse("oversight:bureau_schedules"), [403, 403, 403, 200, 200, 200, 200, 403]),
    "schedule edit": (
        "post",
        lambda w: reverse("oversight:bureau_schedules"),
        [403, 403, 403, 302, 403, 403, 400, 403],  # 南京 may not pick 连云港 (not among its regions)
    ),
    "reviews": ("get", lambda w: reverse("oversight:reviews"), [403, 200, 200, 403, 403, 403, 403, 403]),
    "correction of worker B": (
        "get",
        lambda w: reverse(
            "oversight:correction_review",
            args=[CorrectionRequest.objects.create(person=w.person_b, changes={"post": "电工"}).pk],
        ),
        [403, 404, 200, 403, 403, 403, 403, 403],
    ),
    "portal index": ("get", lambda w: reverse("oversight:index"), [403, 302, 302, 302, 302, 302, 302, 403]),
}

CASES = [
    pytest.param(name, role, expected, id=f"{name}-{role}")
    for name, (_method, _url, statuses) in TABLE.items()
    for role, expected in zip(["anonymous", *ROLES], [302, *statuses], strict=True)
]


def _data(name, world):
    if name == "remind worker A":
        return {"year": "2023", "person": [str(world.person_a.pk)]}
    if name == "schedule edit":
        return SCHEDULE_POST
    return {}


@pytest.mark.parametrize(("name", "role", "expected"), CASES)
def test_scope(world, name, role, expected):
    method, url_for, _ = TABLE[name]
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    url = url_for(world)
    response = getattr(client, method)(url, _data(name, world))
    assert response.status_code == expected, f"{role} {method.upper()} {url}"
    if role == "anonymous":
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
