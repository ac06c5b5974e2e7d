"""等保 2.0 level 3 for staff accounts: 工作人员登录, TOTP two-factor with recovery codes, password
expiry and reuse history, idle timeout, and the login entries of the audit trail."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cecloud.accounts import otp
from cecloud.accounts.factories import PASSWORD, BureauFactory, LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.accounts.models import PasswordHistory, User
from cecloud.accounts.security_middleware import SESSION_LAST_ACTIVITY
from cecloud.accounts.staff import LEARNER_GO_HOME, STAFF_LOGIN_FAILED
from cecloud.accounts.testing import give_totp, hex_key_from_manual, totp_code
from cecloud.accounts.views import STAFF_USE_STAFF_LOGIN
from cecloud.core.models import AuditLog
from cecloud.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db

STAFF_LOGIN = reverse("accounts:staff_login")


def post_login(client, url, username, password=PASSWORD, **extra):
    data = {"username": username, "password": password, "captcha_0": "x", "captcha_1": "PASSED", **extra}
    return client.post(url, data, REMOTE_ADDR="203.0.113.7")


def reaches_portal(client) -> bool:
    """The staff portal (``oversight:index`` redirects to the unit or region portal) answers with its page."""
    r = client.get(reverse("oversight:index"), follow=True)
    return r.status_code == 200 and all(url.startswith("/oversight/") for url, _ in r.redirect_chain)


def staff_client(user, device=None) -> tuple[Client, TOTPDevice]:
    """A client logged in on 工作人员登录 with password and a TOTP code."""
    client = Client()
    device = device or give_totp(user)
    assert post_login(client, STAFF_LOGIN, user.username).status_code == 302
    r = client.post(reverse("accounts:staff_2fa"), {"code": totp_code(device)})
    assert r.status_code == 302, r.content.decode()
    return client, device


# --- Two login pages ---------------------------------------------------------------------------------------


def test_the_learner_box_refuses_staff_and_points_to_the_staff_login():
    hr = UnitHRFactory()
    client = Client()
    r = post_login(client, reverse("accounts:login"), hr.username)
    assert r.status_code == 400 and STAFF_USE_STAFF_LOGIN in r.content.decode()
    assert "_auth_user_id" not in client.session
    home = Client().get("/").content.decode()
    assert STAFF_LOGIN in home and "工作人员登录" in home


def test_the_staff_page_refuses_learners_without_creating_their_account():
    learner = LearnerFactory()
    person = PersonFactory()  # in the registry, never logged in
    for username, password in [(learner.username, PASSWORD), (person.id_number, person.id_number[-6:])]:
        client = Client()
        r = post_login(client, STAFF_LOGIN, username, password)
        assert r.status_code == 400 and LEARNER_GO_HOME in r.content.decode()
        assert "_auth_user_id" not in client.session
    assert not User.objects.filter(person=person).exists()


def test_a_wrong_staff_password_is_refused_and_audited():
    hr = UnitHRFactory()
    r = post_login(Client(), STAFF_LOGIN, hr.username, "wrong-pass")
    assert r.status_code == 400 and STAFF_LOGIN_FAILED in r.content.decode()
    entry = AuditLog.objects.get(event_type="account.login_failed")
    assert entry.subject_repr == hr.username and entry.ip_address == "203.0.113.7"
    assert entry.extra_data["stage"] == "password"


def test_repeated_wrong_staff_passwords_lock_the_account_however_the_name_is_spelt(settings):
    hr = UnitHRFactory(username="hr_lock")
    r = None
    for i in range(settings.AXES_FAILURE_LIMIT):
        r = post_login(Client(), STAFF_LOGIN, "hr_lock" if i % 2 else " hr\u200b_lock\t", "wrong-pass")
    assert "还可尝试" in r.content.decode() or r.status_code == 429
    r = post_login(Client(), STAFF_LOGIN, hr.username)
    assert r.status_code == 429 and "Retry-After" in r


def test_the_admin_login_page_redirects_to_the_staff_login():
    r = Client().get("/admin/login/?next=/admin/billing/order/")
    assert r.status_code == 302 and r["Location"].startswith(STAFF_LOGIN)
    assert "next=%2Fadmin%2Fbilling%2Forder%2F" in r["Location"]
    r = Client().get("/admin/login/?next=https://evil.example/")
    assert "evil" not in r["Location"]


# --- Enrolment on the first login -------------------------------------------------------------------------------


def test_first_login_enrols_an_authenticator_then_shows_recovery_codes_once():
    hr = UnitHRFactory()
    client = Client()
    r = post_login(client, STAFF_LOGIN, hr.username, next=reverse("oversight:index"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:staff_2fa_enrol"))
    # Until the second factor, the portal, the admin and the API lead to the enrolment.
    for url in [reverse("oversight:index"), reverse("accounts:after_login"), "/admin/"]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:staff_2fa_enrol")), url
    assert client.get("/api/v1/learning/play/config", HTTP_ACCEPT="application/json").status_code in (403, 404)

    page = client.get(reverse("accounts:staff_2fa_enrol")).content.decode()
    assert "<svg" in page and "<script>" not in page and "style=" not in page
    device = TOTPDevice.objects.get(user=hr, confirmed=False)
    manual = otp.manual_key(device)
    assert manual in page
    assert hex_key_from_manual(manual) == device.key

    r = client.post(reverse("accounts:staff_2fa_enrol"), {"code": "000000" if totp_code(device) != "000000" else "1"})
    assert r.status_code == 400 and "还可尝试 4 次" in r.content.decode()
    code = totp_code(hex_key_from_manual(manual))
    r = client.post(
        reverse("accounts:staff_2fa_enrol"),
        {"code": code, "next": reverse("oversight:index")},
        REMOTE_ADDR="203.0.113.7",
    )
    assert r.status_code == 302 and r["Location"] == reverse("accounts:staff_2fa_codes")
    device.refresh_from_db()
    assert device.confirmed

    codes_page = client.get(reverse("accounts:staff_2fa_codes")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=hr).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    download = client.get(reverse("accounts:staff_2fa_codes_download"))
    assert download["Content-Disposition"].startswith("attachment") and codes[0] in download.content.decode()
    r = client.post(reverse("accounts:staff_2fa_codes"))
    assert r["Location"] == reverse("oversight:index")
    # Shown once: gone from the session.
    assert client.get(reverse("accounts:staff_2fa_codes"))["Location"] == reverse("accounts:after_login")
    assert reaches_portal(client)
    events = set(AuditLog.objects.filter(actor=hr).values_list("event_type", flat=True))
    assert {"account.2fa_enrolled", "account.login", "account.login_failed"} <= events
    login_entry = AuditLog.objects.get(event_type="account.login", actor=hr)
    assert login_entry.extra_data["method"] == "totp_enrolment" and login_entry.ip_address == "203.0.113.7"


# --- Later logins -------------------------------------------------------------------------------------------------


def test_later_logins_ask_for_the_code_and_a_code_is_not_accepted_twice():
    bureau = BureauFactory()
    device = give_totp(bureau)
    client = Client()
    r = post_login(client, STAFF_LOGIN, bureau.username)
    assert r["Location"].startswith(reverse("accounts:staff_2fa"))
    assert client.get(reverse("oversight:index"))["Location"].startswith(reverse("accounts:staff_2fa"))
    code = totp_code(device)
    assert client.post(reverse("accounts:staff_2fa"), {"code": code[:3] + " " + code[3:]}).status_code == 302
    assert reaches_portal(client)
    # The same time step again (a replayed code) is refused; the next step's code is accepted.
    other = Client()
    post_login(other, STAFF_LOGIN, bureau.username)
    assert other.post(reverse("accounts:staff_2fa"), {"code": code}).status_code == 400
    assert other.post(reverse("accounts:staff_2fa"), {"code": totp_code(device, steps_ahead=1)}).status_code == 302
    assert AuditLog.objects.filter(event_type="account.login", actor=bureau).count() == 2


def test_a_recovery_code_works_once():
    hr = UnitHRFactory()
    give_totp(hr)
    codes = otp.new_recovery_codes(hr)
    client = Client()
    post_login(client, STAFF_LOGIN, hr.username)
    r = client.post(reverse("accounts:staff_2fa"), {"code": codes[0].upper()}, follow=True)
    assert "还剩 9 个" in r.content.decode()
    assert AuditLog.objects.get(event_type="account.login", actor=hr).extra_data["method"] == "recovery_code"
    again = Client()
    post_login(again, STAFF_LOGIN, hr.username)
    assert again.post(reverse("accounts:staff_2fa"), {"code": codes[0]}).status_code == 400


def test_too_many_wrong_codes_lock_the_second_factor(settings):
    settings.CECLOUD_STAFF_2FA_MAX_FAILURES = 3
    hr = UnitHRFactory()
    device = give_totp(hr)
    client = Client()
    post_login(client, STAFF_LOGIN, hr.username)
    wrong = "999999" if totp_code(device) != "999999" else "999998"
    for left in (2, 1):
        assert f"还可尝试 {left} 次" in client.post(reverse("accounts:staff_2fa"), {"code": wrong}).content.decode()
    assert "错误次数过多" in client.post(reverse("accounts:staff_2fa"), {"code": "not-a-code"}).content.decode()
    r = client.post(reverse("accounts:staff_2fa"), {"code": totp_code(device)})
    assert r.status_code == 400 and "错误次数过多" in r.content.decode()  # even the right code, while locked
    assert client.get(reverse("oversight:index")).status_code == 302
    assert AuditLog.objects.filter(event_type="account.2fa_locked", actor=hr).exists()
    # After the lockout the right code is accepted again.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=settings.CECLOUD_STAFF_2FA_LOCKOUT_MINUTES)
    )
    assert client.post(reverse("accounts:staff_2fa"), {"code": totp_code(device)}).status_code == 302


def test_an_operator_resets_a_staff_members_second_factor_from_the_back_office():
    hr = UnitHRFactory()
    hr_client, _device = staff_client(hr)
    otp.new_recovery_codes(hr)
    assert reaches_portal(hr_client)
    operator_client, _ = staff_client(OperatorFactory())
    r = operator_client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [hr.pk]}
    )
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=hr).exists() and not StaticToken.objects.filter(device__user=hr).exists()
    # The session verified before the reset must enrol again.
    r = hr_client.get(reverse("oversight:index"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:staff_2fa_enrol"))
    assert AuditLog.objects.filter(event_type="account.2fa_reset", subject_id=str(hr.pk)).exists()
    assert AuditLog.objects.filter(event_type="admin.action", extra_data__action="reset_two_factor").exists()


def test_the_operator_reaches_the_admin_only_after_the_second_factor():
    operator = OperatorFactory()
    device = give_totp(operator)
    client = Client()
    r = client.get("/admin/", follow=True)
    assert r.redirect_chain[-1][0].startswith(STAFF_LOGIN)
    r = post_login(client, STAFF_LOGIN, operator.username, next="/admin/")
    assert client.get("/admin/").status_code == 302
    r = client.post(r["Location"], {"code": totp_code(device), "next": "/admin/"})
    assert r["Location"] == "/admin/"
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 200 and "accounts/idle.js" in admin_page.content.decode()  # the warning too


def test_the_second_factor_can_be_off_outside_production(settings):
    settings.CECLOUD_STAFF_2FA = False
    hr = UnitHRFactory()
    client = Client()
    assert post_login(client, STAFF_LOGIN, hr.username)["Location"] == reverse("accounts:after_login")
    assert reaches_portal(client)


def test_production_refuses_to_turn_the_second_factor_off(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    import config.settings as project_settings

    monkeypatch.setattr(project_settings, "CECLOUD_STAFF_2FA", False)
    with pytest.raises(ImproperlyConfigured, match="CECLOUD_STAFF_2FA"):
        project_settings.check_production_settings()


# --- Password expiry and history -----------------------------------------------------------------------------------


def test_an_expired_staff_password_must_be_changed_before_anything_else(settings):
    hr = UnitHRFactory()
    User.objects.filter(pk=hr.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client, _ = staff_client(hr)
    r = client.get(reverse("oversight:index"))
    assert r.status_code == 302 and r["Location"] == reverse("accounts:password_change") + "?expired=1"
    assert "密码已超过有效期" in client.get(r["Location"]).content.decode()
    url = reverse("accounts:password_change")
    r = client.post(url, {"old_password": PASSWORD, "new_password1": "Fresh#pass91", "new_password2": "Fresh#pass91"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:after_login")
    assert reaches_portal(client)
    # A learner's password does not expire.
    learner = LearnerFactory(must_change_password=False)
    User.objects.filter(pk=learner.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=900))
    c = Client()
    c.force_login(learner)
    assert c.get(reverse("accounts:profile")).status_code == 200


def test_a_staff_password_may_not_repeat_one_of_the_last_five(settings):
    hr = UnitHRFactory()
    client, _ = staff_client(hr)
    url = reverse("accounts:password_change")
    passwords = [PASSWORD] + [f"Cycle#{n}pass" for n in range(1, 7)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        r = client.post(url, {"old_password": old, "new_password1": new, "new_password2": new})
        assert r.status_code == 302, r.content.decode()
    # History: the hashes of the last five (never the passwords).
    rows = list(PasswordHistory.objects.filter(user=hr))
    assert len(rows) == 5 and all(row.password.startswith(("md5$", "argon2", "pbkdf2")) for row in rows)
    current = passwords[-1]
    for reused in passwords[-5:-1]:
        r = client.post(url, {"old_password": current, "new_password1": reused, "new_password2": reused})
        assert r.status_code == 200 and "最近使用过的5个密码" in r.content.decode(), reused
    oldest = passwords[1]  # six changes ago: allowed again
    r = client.post(url, {"old_password": current, "new_password1": oldest, "new_password2": oldest})
    assert r.status_code == 302


def test_learner_passwords_keep_no_history():
    learner = LearnerFactory()
    learner.set_password("Another#pass1")
    learner.save()
    assert not PasswordHistory.objects.filter(user=learner).exists()


# --- Idle timeout ---------------------------------------------------------------------------------------------------


def _idle(client, seconds: int) -> None:
    session = client.session
    session[SESSION_LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_idle_staff_sessions_end_after_30_minutes(settings):
    hr = UnitHRFactory()
    client, _ = staff_client(hr)
    _idle(client, 29 * 60)
    assert reaches_portal(client)  # and the clock restarts
    assert client.session[SESSION_LAST_ACTIVITY] >= int(time.time()) - 5
    _idle(client, 31 * 60)
    r = client.get(reverse("oversight:index"))
    assert r.status_code == 302 and r["Location"].startswith(STAFF_LOGIN + "?timeout=1")
    assert "_auth_user_id" not in client.session
    page = client.get(r["Location"]).content.decode()
    assert "您已长时间未操作" in page


def test_idle_learner_sessions_end_after_two_hours_and_heartbeats_count():
    learner = LearnerFactory(must_change_password=False)
    client = Client()
    client.force_login(learner)
    _idle(client, 119 * 60)
    client.post(reverse("learning:playback_beat"), {})  # the player's heartbeat (refused or not, it is activity)
    assert client.session[SESSION_LAST_ACTIVITY] >= int(time.time()) - 5
    _idle(client, 121 * 60)
    r = client.get(reverse("accounts:profile"))
    assert r.status_code == 302 and r["Location"] == "/?timeout=1#login"
    assert "您已长时间未操作" in client.get("/?timeout=1").content.decode()
    # JSON callers get 401, not a redirect.
    client.force_login(learner)
    _idle(client, 121 * 60)
    r = client.post(reverse("learning:playback_beat"), {}, HTTP_ACCEPT="application/json")
    assert r.status_code == 401 and r.json()["code"] == "session_expired"


def test_the_warning_script_asks_without_counting_and_keepalive_restarts_the_clock():
    learner = LearnerFactory(must_change_password=False)
    client = Client()
    client.force_login(learner)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "accounts/idle.js" in page and 'data-timeout="7200"' in page
    _idle(client, 7000)
    remaining = client.get(reverse("accounts:session_status")).json()["remaining"]
    assert 150 < remaining <= 200
    assert client.get(reverse("accounts:session_status")).json()["remaining"] <= 200  # still not counted
    assert client.post(reverse("accounts:keepalive")).json()["remaining"] > 7000
    assert Client().get(reverse("accounts:session_status")).status_code == 401
