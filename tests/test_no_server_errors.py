"""No input produces an HTTP 500 (issue 11, defect 4).

* Random JSON (any shape, huge and negative integers, NaN and infinities, numbers as strings, bytes
  that are not JSON) and random query strings against every JSON endpoint: every route of the
  /api/v1/ API, read from its OpenAPI schema, and the player's JSON views — as a learner with a real
  class, course and playback session, and anonymously.
* Every URL that takes an integer, with ids past 2**63, as a learner, as staff and anonymously.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cecloud.accounts.factories import BureauFactory, OperatorFactory, UnitHRFactory
from cecloud.learning.factories import study_setup
from cecloud.learning.services.playback import playback_start

pytestmark = pytest.mark.django_db

HUGE = [2**63, 2**64 + 1, 10**30]
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The JSON views outside the API: (URL name, takes the class and course in the URL).
JSON_VIEWS = [
    ("learning:playback_start", True),
    ("learning:playback_beat", False),
    ("learning:playback_attention", False),
    ("learning:bench_noop", False),
]


def api_operations() -> list[tuple[str, str]]:
    """(method, path template) of every route of the /api/v1/ API."""
    from config.api import api

    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root").rstrip("/"))
    return sorted(
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def endpoints() -> list[tuple[str, str]]:
    return [(method, path) for method, path in api_operations()] + [("POST", name) for name, _ in JSON_VIEWS]


# --- Strategies -------------------------------------------------------------------------------------------

odd_numbers = st.sampled_from(["", "1", "1e999", "-1", "0", "NaN", "Infinity", "9" * 30, "٣", "²", "0x10", " 12 "])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.sampled_from(HUGE + [-(2**63) - 1, 2**31, 2**53 + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    odd_numbers,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
KEYS = ["token", "chapter", "start", "position", "check", "event", "page", "year", "id", "course", "enrollment"]
objects = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), json_values, max_size=6)
numbers = st.one_of(
    st.integers(),
    st.sampled_from(HUGE + [-(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_numbers,
)
# Bodies shaped like the endpoints' own (every field present, hostile values), so that typed schemas let
# them through to the code behind.
shaped = st.fixed_dictionaries(
    {"token": st.text(max_size=70), "chapter": numbers, "start": numbers, "position": numbers, "check": numbers}
)
bodies = st.one_of(shaped, objects, json_values)
query_keys = st.sampled_from(
    ["page", "year", "chapter", "start", "end", "id", "q", "region", "provider", "category", "tab", "status", "sort"]
)
query_values = st.one_of(st.text(max_size=20), odd_numbers, st.sampled_from([str(n) for n in HUGE]))
queries = st.dictionaries(query_keys | st.text(min_size=1, max_size=6), query_values, max_size=4)
path_values = st.one_of(st.sampled_from(["real"] * 3), st.integers(min_value=-5, max_value=2**70), st.text(max_size=10))


def _body(draw_object, raw: bytes | None) -> bytes:
    if raw is not None:
        return raw
    return json.dumps(draw_object).encode()  # NaN and Infinity are written as such: a hostile client


@pytest.fixture
def world():
    """A learner with a class, a confirmed course of two chapters and an open player."""
    setup = study_setup(durations=(60.0, 120.0))
    return setup


def _url(endpoint: str, method: str, setup, data) -> str:
    if endpoint.startswith("/"):

        def fill(match: re.Match) -> str:
            value = data.draw(path_values, label=match.group(1)) if data else "real"
            if value == "real":
                value = setup.course.pk if "course" in match.group(1) else setup.enrollment.pk
            return quote(str(value), safe="")

        return re.sub(r"\{(\w+)\}", fill, endpoint)
    takes_ids = dict(JSON_VIEWS)[endpoint]
    if not takes_ids:
        return reverse(endpoint)
    ids = [setup.enrollment.pk, setup.course.pk]
    if data and data.draw(st.booleans(), label="foreign ids"):
        ids = [data.draw(st.integers(min_value=0, max_value=2**63 - 1)) for _ in ids]
    return reverse(endpoint, args=ids)


def _request(client: Client, method: str, url: str, body: bytes, query: dict):
    if query:
        url += "?" + urlencode(query)
    response = client.generic(method, url, data=body, content_type="application/json")
    assert response.status_code < 500, (method, url, body[:200], response.status_code)
    return response


@pytest.mark.parametrize("who", ["learner", "anonymous"])
@pytest.mark.parametrize(("method", "endpoint"), endpoints())
def test_random_json_and_query_strings_never_cause_a_server_error(world, who, method, endpoint):
    client = Client()
    if who == "learner":
        client.force_login(world.user)

    def token() -> str:
        return playback_start(user=world.user, enrollment=world.enrollment, course=world.course).token

    # The known hostile bodies first (defect 4 of issue 11), then random ones.
    for body in (
        {"token": token(), "chapter": 2**63, "start": 0, "position": 1},
        {"token": token(), "chapter": world.chapters[0].pk, "start": 10**400, "position": -(10**400)},
        {"token": token(), "check": 2**63},
        {"token": token(), "chapter": 10**30, "start": float("inf"), "position": float("nan"), "check": -(2**64)},
    ):
        url = _url(endpoint, method, world, None)
        _request(client, method, url, json.dumps(body).encode(), {"page": str(10**30)})

    @FUZZ
    @given(data=st.data(), body=bodies, raw=st.none() | st.binary(max_size=40), query=queries)
    def run(data, body, raw, query):
        if isinstance(body, dict) and data.draw(st.booleans(), label="a real token"):
            body = {**body, "token": token()}
            if data.draw(st.booleans(), label="a real chapter"):
                body["chapter"] = world.chapters[0].pk
        url = _url(endpoint, method, world, data)
        _request(client, method, url, _body(body, raw), query)

    run()


def test_the_fuzzed_endpoints_include_every_api_route_and_the_player():
    names = {path for _, path in api_operations()}
    assert any(path.endswith("/learning/play/beat") for path in names)
    assert any(path.endswith("/learning/play/attention") for path in names)
    assert any("{enrollment_id}" in path for path in names)


# --- Integers in URLs -------------------------------------------------------------------------------------


def _int_routes() -> list[str]:
    """Every URL pattern with an int converter, as a template with {} for each parameter."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<int:" in route:
                found.append(prefix + route)

    walk(get_resolver().url_patterns, "")
    return found


def _fill(route: str, number: int) -> str:
    def value(match: re.Match) -> str:
        converter = match.group(1) or "str"
        if converter == "int":
            return str(number)
        if converter == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        return "x"

    path = re.sub(r"<(?:(\w+):)?\w+>", value, route)
    return "/" + path.lstrip("^").rstrip("$")


def test_every_url_with_an_integer_refuses_ids_past_the_database_range(world):
    routes = _int_routes()
    assert any("play" in r for r in routes) and len(routes) >= 10
    clients = [Client()]
    for user in (world.user, UnitHRFactory(), BureauFactory(), OperatorFactory()):
        client = Client()
        client.force_login(user)
        clients.append(client)
    for route in routes:
        for number in HUGE:
            url = _fill(route, number)
            for client in clients:
                for method in ("GET", "POST"):
                    _request(client, method, url, b"{}", {})


# --- Ids and page numbers parsed by hand ------------------------------------------------------------------

ODD_IDS = ["99999999999999999999", str(2**63), "²", "١٢", "-1", "0", "1e3", ""]


def test_hand_parsed_ids_and_page_numbers_never_cause_a_server_error(world):
    from cecloud.billing.factories import unit_hr
    from cecloud.registry.factories import UnitFactory
    from cecloud.training.factories import training_year

    training_year(2023)
    learner = Client()
    learner.force_login(world.user)
    select = reverse("learning:select", args=[world.enrollment.pk])
    for value in ODD_IDS:
        _request(learner, "GET", select, b"", {"provider": value, "page": value, "category": "all"})
        _request(learner, "GET", select, b"", {"page": str(10**30)})
    staff = Client()
    staff.force_login(unit_hr(UnitFactory()))
    for value in ODD_IDS:
        for name in ("billing:unit_register", "oversight:unit_reminders"):
            response = staff.post(reverse(name), {"year": "2023", "person": [value, "1"]})
            assert response.status_code < 500, (name, value, response.status_code)
