"""找回密码: 核认身份 → 验证真实性 → 重置密码 → 完成, with SMS codes and no enumeration."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts import recovery
from cecloud.accounts.factories import PASSWORD, LearnerFactory
from cecloud.accounts.models import User
from cecloud.core.models import AuditLog
from cecloud.notifications.models import VerificationCode
from cecloud.notifications.testing import file_outbox, install_clock
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import PersonStatus

pytestmark = pytest.mark.django_db

URL = {
    name: reverse(f"accounts:{name}")
    for name in ("recover", "recover_verify", "recover_send_code", "recover_reset", "recover_done")
}
NEW = "Xin#mima2024"


@pytest.fixture
def outbox(settings, tmp_path):
    return file_outbox(settings, tmp_path)


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


def identify(client, name, id_number, captcha="PASSED"):
    return client.post(URL["recover"], {"name": name, "username": id_number, "captcha_0": "x", "captcha_1": captcha})


def flow_token(client, url) -> str:
    html = client.get(url).content.decode()
    match = re.search(r'name="flow" value="([^"]+)"', html)
    assert match, "no flow token on the page"
    return match.group(1)


def send_code(client, token, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(URL["recover_send_code"], {"flow": token}, **headers)


def verify(client, token, code):
    return client.post(URL["recover_verify"], {"flow": token, "code": code})


def reset(client, token, p1=NEW, p2=None):
    return client.post(URL["recover_reset"], {"flow": token, "new_password1": p1, "new_password2": p2 or p1})


def walk_to_step3(client, person, outbox):
    assert identify(client, person.name, person.id_number).status_code == 302
    token = flow_token(client, URL["recover_verify"])
    send_code(client, token)
    r = verify(client, token, outbox.last_code(person.phone))
    assert r.status_code == 302 and r["Location"] == URL["recover_reset"]
    return flow_token(client, URL["recover_reset"])


def error_alert(response) -> str:
    match = re.search(r'<div class="alert alert-danger[^"]*" role="alert">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1).strip() if match else ""


# --- Step 1 ------------------------------------------------------------------------------------------


def test_step_one_page_follows_the_manual():
    html = Client().get(URL["recover"]).content.decode()
    for text in [
        "学员找回密码",
        "核认身份",
        "验证真实性",
        "重置密码",
        "完成",
        "请输入姓名和身份证号，确认身份后重置密码。",
        "姓名",
        "登录帐号",
        "验证码",
        "下一步",
    ]:
        assert text in html
    assert "未绑定手机号或手机号有误可联系客服：4000968823" in html
    assert "找回密码" in Client().get("/").content.decode()


def test_a_wrong_name_and_an_unknown_id_get_the_same_answer():
    person = PersonFactory(name="孙正确")
    wrong_name = identify(Client(), "孙错误", person.id_number)
    unknown_id = identify(Client(), "孙正确", "11010519491231002X")
    assert wrong_name.status_code == unknown_id.status_code == 400
    assert error_alert(wrong_name) == error_alert(unknown_id) == recovery.IDENTITY_FAILED
    # The pages differ only by their per-request tokens (CSRF, captcha key).
    strip = lambda r: re.sub(r"[0-9a-zA-Z]{32,}", "", r.content.decode())  # noqa: E731 - CSRF and captcha keys
    assert strip(wrong_name).replace("孙错误", "").replace(person.id_number, "") == strip(unknown_id).replace(
        "孙正确", ""
    ).replace("11010519491231002X", "")


def test_id_format_errors_say_what_is_wrong_and_captcha_is_required():
    person = PersonFactory()
    r = identify(Client(), person.name, person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1"))
    assert r.status_code == 400 and "身份证号校验位错误" in r.content.decode()
    r = identify(Client(), person.name, "320706900101123")
    assert "不支持15位旧身份证号" in r.content.decode()
    c = Client()
    r = identify(c, person.name, person.id_number, captcha="WRONG")
    assert r.status_code == 400 and "验证码错误" in r.content.decode()
    assert recovery.SESSION_KEY not in c.session


def test_lower_case_x_and_spaces_are_accepted():
    person = PersonFactory(id_number="11010519491231002X", name="欧阳 明")
    person.name = "欧阳明"
    person.save()
    r = identify(Client(), " 欧阳明 ", "11010519491231002x")
    assert r.status_code == 302 and r["Location"] == URL["recover_verify"]


def test_an_inactive_person_is_told_to_contact_the_unit():
    person = PersonFactory(status=PersonStatus.INACTIVE)
    r = identify(Client(), person.name, person.id_number)
    assert r.status_code == 400 and "非在岗" in r.content.decode()


# --- Step 2 ------------------------------------------------------------------------------------------


def test_step_two_shows_the_masked_phone_and_sends_a_code(outbox):
    person = PersonFactory(phone="13812345678")
    c = Client()
    identify(c, person.name, person.id_number)
    html = c.get(URL["recover_verify"]).content.decode()
    assert "138****5678" in html and "13812345678" not in html and "获取验证码" in html
    token = flow_token(c, URL["recover_verify"])
    r = send_code(c, token, htmx=True)
    assert r.status_code == 200 and "验证码已发送至 138****5678" in r.content.decode()
    code = outbox.last_code("13812345678")
    assert len(code) == 6 and code not in r.content.decode()
    assert VerificationCode.objects.get().scope == f"person:{person.pk}"


def test_no_bound_phone_shows_the_hotline_and_sends_nothing(outbox):
    for phone in ("", "1234"):
        person = PersonFactory(phone=phone)
        c = Client()
        identify(c, person.name, person.id_number)
        r = c.get(URL["recover_verify"])
        html = r.content.decode()
        assert "未绑定手机号或手机号有误可联系客服：" in html and "4000968823" in html
        assert "获取验证码" not in html
        # A forged send is refused the same way.
        data = recovery.current(r.wsgi_request, recovery.IDENTIFIED)
        r = send_code(c, data.token, htmx=True)
        assert r.status_code == 429 and "未绑定手机号" in r.content.decode()
    assert outbox.messages() == []


def test_resend_within_sixty_seconds_is_refused_then_allowed(outbox, clock):
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    token = flow_token(c, URL["recover_verify"])
    send_code(c, token)
    clock.advance(seconds=20)
    r = send_code(c, token, htmx=True)
    assert r.status_code == 429 and "请40秒后再试" in r.content.decode()
    assert 'data-wait="40"' in r.content.decode()
    assert 'data-wait="40"' in c.get(URL["recover_verify"]).content.decode()  # the button's countdown
    clock.advance(seconds=40)
    r = send_code(c, token)  # without htmx: a message and back to step 2
    assert r.status_code == 302 and r["Location"] == URL["recover_verify"]
    assert len(outbox.messages(phone=person.phone)) == 2


def test_hourly_limit_through_the_page(outbox, clock):
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    token = flow_token(c, URL["recover_verify"])
    for _ in range(5):
        assert send_code(c, token, htmx=True).status_code == 200
        clock.advance(seconds=61)
    r = send_code(c, token, htmx=True)
    assert r.status_code == 429 and "1小时内获取验证码次数已达上限" in r.content.decode()


def test_wrong_codes_void_it_after_three_entries(outbox):
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    token = flow_token(c, URL["recover_verify"])
    send_code(c, token)
    code = outbox.last_code(person.phone)
    wrong = "000000" if code != "000000" else "111111"
    assert "验证码错误，还可输入2次" in verify(c, token, wrong).content.decode()
    assert "验证码错误，还可输入1次" in verify(c, token, wrong).content.decode()
    assert "验证码错误次数过多，已失效，请重新获取" in verify(c, token, wrong).content.decode()
    r = verify(c, token, code)
    assert r.status_code == 400 and "请先获取验证码" in r.content.decode()
    assert c.get(URL["recover_reset"])["Location"] == URL["recover_verify"]


def test_the_code_expires_after_five_minutes(outbox, clock):
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    token = flow_token(c, URL["recover_verify"])
    send_code(c, token)
    clock.advance(minutes=5)
    r = verify(c, token, outbox.last_code(person.phone))
    assert r.status_code == 400 and "验证码已过期，请重新获取" in r.content.decode()


def test_a_code_is_single_use_and_bound_to_the_person(outbox):
    shared = "13700001111"
    a = PersonFactory(phone=shared)
    b = PersonFactory(phone=shared)  # two registry entries with one phone (family members)
    ca, cb = Client(), Client()
    identify(ca, a.name, a.id_number)
    identify(cb, b.name, b.id_number)
    ta = flow_token(ca, URL["recover_verify"])
    tb = flow_token(cb, URL["recover_verify"])
    send_code(ca, ta)
    code = outbox.last_code(shared)
    assert "请先获取验证码" in verify(cb, tb, code).content.decode()  # a's code does not open b's account
    assert verify(ca, ta, code).status_code == 302
    assert VerificationCode.objects.get().state == VerificationCode.State.USED


def test_the_malformed_code_is_refused_before_counting():
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    token = flow_token(c, URL["recover_verify"])
    assert "请输入6位短信验证码" in verify(c, token, "12a456").content.decode()
    assert "请输入短信验证码" in verify(c, token, "").content.decode()


# --- Steps cannot be skipped ------------------------------------------------------------------


def test_steps_cannot_be_skipped(outbox):
    c = Client()
    for name in ("recover_verify", "recover_reset", "recover_done"):
        r = c.get(URL[name])
        assert r.status_code == 302 and r["Location"] == URL["recover"], name
    assert send_code(c, "x")["Location"] == URL["recover"]
    person = LearnerFactory().person
    identify(c, person.name, person.id_number)
    # Identified only: step 3 sends back to step 2; a POST to step 3 is refused.
    assert c.get(URL["recover_reset"])["Location"] == URL["recover_verify"]
    token2 = flow_token(c, URL["recover_verify"])
    assert reset(c, token2)["Location"] == URL["recover"]
    assert c.get(URL["recover_done"])["Location"] == URL["recover"]
    assert User.objects.get(person=person).check_password(PASSWORD)


def test_forged_or_stale_step_tokens_are_refused(outbox):
    person = PersonFactory()
    c = Client()
    identify(c, person.name, person.id_number)
    old = flow_token(c, URL["recover_verify"])
    identify(c, person.name, person.id_number)  # a new flow in the same session (another tab)
    assert verify(c, old, "123456")["Location"] == URL["recover"]
    assert send_code(c, old)["Location"] == URL["recover"]
    new = flow_token(c, URL["recover_verify"])
    assert verify(c, new + "x", "123456")["Location"] == URL["recover"]
    assert verify(c, "", "123456")["Location"] == URL["recover"]
    assert outbox.messages() == []
    # A step-2 token is not a step-3 token.
    send_code(c, new)
    verify(c, new, outbox.last_code(person.phone))
    assert reset(c, new)["Location"] == URL["recover"]


def test_the_verified_step_expires_after_ten_minutes(outbox, clock):
    learner = LearnerFactory()
    c = Client()
    token = walk_to_step3(c, learner.person, outbox)
    clock.advance(minutes=10, seconds=1)
    assert reset(c, token)["Location"] == URL["recover"]
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


# --- Step 3 and 4 --------------------------------------------------------------------------------


def test_the_whole_flow_resets_the_password_logs_out_other_sessions_and_lifts_the_lockout(outbox, settings):
    learner = LearnerFactory()
    person = learner.person
    elsewhere = Client()
    elsewhere.force_login(learner)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    login = lambda c, pwd: c.post(  # noqa: E731
        reverse("accounts:login"),
        {"username": person.id_number, "password": pwd, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "wrong-password")
    assert login(Client(), PASSWORD).status_code == 429  # locked out

    c = Client()
    token = walk_to_step3(c, person, outbox)
    html = c.get(URL["recover_reset"]).content.decode()
    assert "新密码" in html and "确认新密码" in html
    r = reset(c, token)
    assert r.status_code == 302 and r["Location"] == URL["recover_done"]
    done = c.get(URL["recover_done"]).content.decode()
    assert "密码重置成功" in done and 'href="/#login"' in done and "完成" in done
    assert c.get(URL["recover_done"])["Location"] == URL["recover"]  # the flow is over

    learner.refresh_from_db()
    assert learner.check_password(NEW) and not learner.must_change_password
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302  # other sessions ended
    assert login(Client(), NEW).status_code == 302  # lockout lifted, new password works
    assert AuditLog.objects.filter(event_type="account.password_recovered", subject_id=str(learner.pk)).exists()


def test_someone_who_never_logged_in_gets_an_account_at_step_three(outbox):
    person = PersonFactory()
    assert not User.objects.filter(person=person).exists()
    c = Client()
    token = walk_to_step3(c, person, outbox)
    assert reset(c, token).status_code == 302
    user = User.objects.get(person=person)
    assert user.username == person.id_number and user.role == "learner" and not user.must_change_password
    assert user.check_password(NEW)
    r = Client().post(
        reverse("accounts:login"),
        {"username": person.id_number, "password": NEW, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("accounts:after_login")
    # The default password no longer opens the account.
    r = Client().post(
        reverse("accounts:login"),
        {"username": person.id_number, "password": person.id_number[-6:], "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert r.status_code == 400


@pytest.mark.parametrize(
    "p1, p2, message",
    [
        ("Good#pass99", "Good#pass98", "两次输入的新密码不一致"),
        ("a1", "a1", "密码长度太短"),
        ("abcdefgh", "abcdefgh", "至少两种"),
        ("", "", "请输入新密码"),
    ],
)
def test_step_three_applies_the_password_rules(outbox, p1, p2, message):
    learner = LearnerFactory()
    c = Client()
    token = walk_to_step3(c, learner.person, outbox)
    r = reset(c, token, p1, p2)
    assert r.status_code == 400 and message in r.content.decode()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_step_three_refuses_the_id_suffix_even_for_a_new_account(outbox):
    person = PersonFactory()
    c = Client()
    token = walk_to_step3(c, person, outbox)
    pwd = f"ab{person.id_number[-6:]}!"
    r = reset(c, token, pwd)
    assert r.status_code == 400 and "不能包含身份证号" in r.content.decode()
    assert not User.objects.filter(person=person).exists()
