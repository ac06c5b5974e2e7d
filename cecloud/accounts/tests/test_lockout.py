"""Login lockout and throttles: one normalised login name is the lockout key, whatever the spelling;
limits per client IP and per IP + account; remaining attempts and the unlock time are shown."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import PASSWORD, LearnerFactory
from cecloud.core import throttle as throttle_module
from cecloud.core.ids import id_check_char
from cecloud.core.login_name import normalize_login
from cecloud.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db


def login(client, username, password, captcha="PASSED", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, "captcha_0": "x", "captcha_1": captcha},
        **extra,
    )


def x_learner():
    """A learner whose ID number ends with X (so that a lower-case x is a variant)."""
    for seq in range(1, 2000):
        first17 = f"320106197910{seq % 28 + 1:02d}{seq % 1000:03d}"[:17]
        if id_check_char(first17) == "X":
            return LearnerFactory(person=PersonFactory(id_number=first17 + "X"), must_change_password=False)
    raise AssertionError("no ID number with X")


def variants(id_number: str) -> dict[str, str]:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in id_number)
    return {
        "inner space": f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}",
        "tab": f"{id_number[:6]}\t{id_number[6:]}",
        "full-width digits": fullwidth,
        "ideographic space": f"{id_number[:6]}\u3000{id_number[6:]}",
        "lower-case x": id_number.lower(),
        "zero-width space": f"{id_number[:3]}\u200b{id_number[3:]}",
        "zero-width joiner and BOM": f"\ufeff{id_number[:9]}\u200d{id_number[9:]}",
        "soft hyphen": f"{id_number[:4]}\u00ad{id_number[4:]}",
        "leading and trailing blanks": f"  {id_number}\n ",
        "newline inside": f"{id_number[:10]}\n{id_number[10:]}",
        "arabic-indic digits": "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in id_number),
    }


def test_every_spelling_is_the_same_login_name():
    learner = x_learner()
    for label, spelled in variants(learner.username).items():
        assert normalize_login(spelled) == learner.username, label
    assert normalize_login("hr_Admin ") == "hr_Admin"  # staff names keep their case
    assert normalize_login(None) == ""


@pytest.mark.parametrize("label", list(variants("32010619791008029X")))
def test_a_locked_account_stays_locked_under_every_spelling(label, settings):
    learner = x_learner()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), learner.username, "bad-password")
    client = Client()
    response = login(client, variants(learner.username)[label], PASSWORD)
    assert response.status_code == 429, label
    assert "_auth_user_id" not in client.session


def test_failures_under_different_spellings_count_for_one_account(settings):
    learner = x_learner()
    spellings = list(variants(learner.username).values())
    for spelled in spellings[: settings.AXES_FAILURE_LIMIT]:
        login(Client(), spelled, "bad-password")
    for spelled in [learner.username, *spellings]:
        client = Client()
        assert login(client, spelled, PASSWORD).status_code == 429
        assert "_auth_user_id" not in client.session


def test_the_right_password_with_a_variant_logs_in_before_the_lockout():
    learner = x_learner()
    client = Client()
    assert login(client, variants(learner.username)["full-width digits"], PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == learner.pk


def test_remaining_attempts_are_shown_before_the_lockout(settings):
    settings.AXES_FAILURE_LIMIT = 5
    learner = LearnerFactory()
    for left in (4, 3, 2, 1):
        html = login(Client(), learner.username, "bad-password").content.decode()
        assert f"还可尝试 {left} 次" in html
    locked = login(Client(), learner.username, "bad-password")
    assert locked.status_code == 429


def test_the_lockout_page_shows_the_unlock_time_in_shanghai_time(settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    learner = LearnerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), learner.username, "bad-password")
    response = login(Client(), learner.username, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    match = re.search(r"帐号已锁定，请于 (\d{2}):(\d{2}) 后再试", html)
    assert match, html
    from django.utils import timezone

    expected = timezone.localtime(timezone.now() + dt.timedelta(minutes=15))
    shown = expected.replace(hour=int(match[1]), minute=int(match[2]))
    assert abs((shown - expected).total_seconds()) <= 120
    assert int(response["Retry-After"]) > 0


def test_retrying_during_the_lockout_does_not_move_the_unlock_time(settings):
    learner = LearnerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), learner.username, "bad-password")
    first = login(Client(), learner.username, PASSWORD)["Retry-After"]
    second = login(Client(), learner.username, "bad-password")["Retry-After"]
    assert abs(int(first) - int(second)) <= 2


def test_the_lockout_is_lifted_after_the_cooloff(settings, monkeypatch):
    from django.utils import timezone

    learner = LearnerFactory(must_change_password=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), learner.username, "bad-password")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=5)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("axes.helpers.now", lambda: later, raising=False)
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: later, raising=False)
    assert login(Client(), learner.username, PASSWORD).status_code == 302


# --- Throttles per client IP and per IP + account -----------------------------------------------------


def test_ip_and_account_limit_is_tight_and_reports_the_retry_time(settings):
    settings.AXES_FAILURE_LIMIT = 100  # isolate the throttle from the account lockout
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_ip_account": "3/3600", "login_ip": "100/600"}
    learner = LearnerFactory()
    for _ in range(3):
        assert login(Client(), learner.username, "bad", REMOTE_ADDR="203.0.113.7").status_code == 400
    blocked = login(Client(), variants(learner.username)["tab"], PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert blocked.status_code == 429
    assert re.search(r"请于 (\d+月\d+日 )?\d{2}:\d{2} 后再试", blocked.content.decode())
    assert int(blocked["Retry-After"]) > 0
    # The same account from another address, and another account from this address, still work.
    assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302
    other = LearnerFactory()
    assert login(Client(), other.username, PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302


def test_ip_limit_counts_failures_across_accounts_but_not_successes(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_ip": "4/600", "login_ip_account": "50/600"}
    learners = [LearnerFactory() for _ in range(6)]
    # Successful logins never use up the address's allowance (an office NAT of a whole unit).
    for learner in learners:
        assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302
    for learner in learners[:4]:
        assert login(Client(), learner.username, "bad", REMOTE_ADDR="192.0.2.10").status_code == 400
    blocked = login(Client(), learners[5].username, PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert blocked.status_code == 429 and "登录尝试过于频繁" in blocked.content.decode()
    assert login(Client(), learners[5].username, PASSWORD, REMOTE_ADDR="192.0.2.11").status_code == 302


def test_the_ip_limit_window_slides(settings, monkeypatch):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_ip": "2/600", "login_ip_account": "50/600"}
    now = [1_000_000.0 * 600]
    monkeypatch.setattr(throttle_module, "_now", lambda: now[0])
    learner = LearnerFactory()
    for _ in range(2):
        login(Client(), learner.username, "bad", REMOTE_ADDR="192.0.2.20")
    assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 429
    now[0] += 610  # the next bucket: the old hits still weigh almost fully
    assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 429
    now[0] += 600  # a whole window later
    assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 302


def test_default_limits_let_a_unit_behind_one_nat_log_in(settings):
    """Many workers of one unit share an office address: the per-IP allowance is generous."""
    learners = [LearnerFactory() for _ in range(30)]
    for learner in learners:
        login(Client(), learner.username, "typo", REMOTE_ADDR="198.51.100.50")
        assert login(Client(), learner.username, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 302


def test_the_lockout_key_behind_a_trusted_proxy_is_the_real_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_ip_account": "2/600"}
    learner = LearnerFactory()
    for _ in range(2):
        login(Client(), learner.username, "bad", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    proxied = {"REMOTE_ADDR": "10.1.1.1"}
    assert login(Client(), learner.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied).status_code == 429
    assert (
        login(Client(), learner.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxied).status_code == 302
    )
