import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import PASSWORD, LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.accounts.forms import LOGIN_FAILED
from cecloud.accounts.models import User
from cecloud.core.models import AuditLog
from cecloud.core.roles import Role
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import PersonStatus

pytestmark = pytest.mark.django_db


def login(client, username, password, captcha="PASSED"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, "captcha_0": "x", "captcha_1": captcha},
    )


def staff_login(client, username, password, captcha="PASSED"):
    return client.post(
        reverse("accounts:staff_login"),
        {"username": username, "password": password, "captcha_0": "x", "captcha_1": captcha},
    )


def test_home_page_has_the_login_box_and_process():
    html = Client().get("/").content.decode()
    for label in [
        "身份证号",
        "密码",
        "验证码",
        "登录",
        "找回密码",
        "01",
        "帐号登录",
        "在线报名缴费",
        "选择学习",
        "在线考试",
        "打印证明",
        "信息模板",
        "4000968823",
    ]:
        assert label in html


def test_first_login_with_default_password_creates_account_and_forces_a_new_password(client):
    person = PersonFactory()
    response = login(client, person.id_number.lower(), person.id_number[-6:])
    assert response.status_code == 302
    user = User.objects.get(person=person)
    assert user.role == Role.LEARNER and user.must_change_password and user.username == person.id_number
    # Every page now leads to the password change, until it is done.
    for url in [reverse("accounts:after_login"), reverse("accounts:profile"), reverse("classroom:my_classes")]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:password_change"))
    r = client.post(
        reverse("accounts:password_change"),
        {"old_password": person.id_number[-6:], "new_password1": "Xin@mima2023", "new_password2": "Xin@mima2023"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Xin@mima2023")
    page = client.get(reverse("accounts:after_login"))
    assert "进入学员中心" in page.content.decode() and "去报名" in page.content.decode()
    # The default password no longer works.
    assert login(Client(), person.id_number, person.id_number[-6:]).status_code == 400


def test_wrong_password_unknown_id_and_inactive_person_get_the_same_generic_message(client):
    learner = LearnerFactory()
    inactive = PersonFactory(status=PersonStatus.INACTIVE)
    for username, password in [
        (learner.username, "wrong-pass"),
        ("11010519491231002X", "31002X"),  # valid ID, not in the registry
        (inactive.id_number, inactive.id_number[-6:]),  # 离岗
        ("nobody", "whatever"),
    ]:
        r = login(Client(), username, password)
        assert r.status_code == 400
        assert LOGIN_FAILED in r.content.decode()
    assert not User.objects.filter(person=inactive).exists()


def test_wrong_captcha_is_refused_before_the_password_is_checked(client):
    learner = LearnerFactory()
    r = login(client, learner.username, PASSWORD, captcha="WRONG")
    assert r.status_code == 400 and "验证码错误" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    learner = LearnerFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), learner.username, "bad-password")
    r = login(client, learner.username, PASSWORD)
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    other = LearnerFactory()
    assert login(Client(), other.username, PASSWORD).status_code == 302


def test_an_unknown_id_is_locked_the_same_way_so_lockout_reveals_nothing(settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "11010519491231002X", "bad")
    assert login(Client(), "11010519491231002X", "bad").status_code == 429


def test_staff_log_in_with_their_login_name_and_go_to_their_portal(client):
    # On 工作人员登录 with the second factor (the learners' box refuses them: test_staff_security.py).
    from cecloud.accounts.testing import give_totp, totp_code

    hr = UnitHRFactory()
    r = staff_login(client, hr.username, PASSWORD)
    assert r.status_code == 302
    assert client.post(reverse("accounts:staff_2fa"), {"code": totp_code(give_totp(hr))}).status_code == 302
    assert client.get(reverse("accounts:after_login"))["Location"] == reverse("oversight:index")
    op = OperatorFactory()
    c2 = Client()
    staff_login(c2, op.username, PASSWORD)
    c2.post(reverse("accounts:staff_2fa"), {"code": totp_code(give_totp(op))})
    assert c2.get(reverse("accounts:after_login"))["Location"] == reverse("admin:index")


def test_learner_pages_refuse_staff_and_anonymous(client):
    hr = UnitHRFactory()
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.force_login(hr)
    assert client.get(reverse("accounts:profile")).status_code == 403


def test_learner_center_menu_and_empty_states(client):
    learner = LearnerFactory()
    client.force_login(learner)
    r = client.get(reverse("accounts:center"), follow=True)
    html = r.content.decode()
    for label in ["我的班级", "发票下载", "培训证明", "信息中心", "个人信息"]:
        assert label in html
    for name in ["billing:orders", "certificates:mine", "infocenter:center", "classroom:my_classes"]:
        assert client.get(reverse(name)).status_code == 200


def test_profile_masks_id_and_phone(client):
    learner = LearnerFactory(person__phone="13912345678")
    client.force_login(learner)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert learner.person.id_number not in html and "13912345678" not in html
    assert "139****5678" in html and learner.person.id_number[-4:] in html


def test_change_password_rules_and_other_sessions_are_logged_out():
    learner = LearnerFactory()
    a, b = Client(), Client()
    assert login(a, learner.username, PASSWORD).status_code == 302
    assert login(b, learner.username, PASSWORD).status_code == 302
    url = reverse("accounts:password_change")
    bad = [
        ({"old_password": "nope", "new_password1": "Good#pass99", "new_password2": "Good#pass99"}, "原密码错误"),
        (
            {"old_password": PASSWORD, "new_password1": "Good#pass99", "new_password2": "Good#pass98"},
            "两次输入的新密码不一致",
        ),
        ({"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"}, "至少两种"),
        ({"old_password": PASSWORD, "new_password1": "a1", "new_password2": "a1"}, "密码长度太短"),
        ({"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}, "不能与原密码相同"),
    ]
    for data, message in bad:
        r = a.post(url, data)
        assert r.status_code == 200 and message in r.content.decode(), message
    r = a.post(url, {"old_password": PASSWORD, "new_password1": "Good#pass99", "new_password2": "Good#pass99"})
    assert r.status_code == 302
    assert a.get(reverse("accounts:profile")).status_code == 200  # this session stays
    assert b.get(reverse("accounts:profile")).status_code == 302  # the other one is logged out
    assert AuditLog.objects.filter(event_type="account.password_changed", actor=learner).exists()


def test_new_password_cannot_be_the_id_suffix(client):
    learner = LearnerFactory()
    client.force_login(learner)
    suffix = learner.username[-6:]
    pwd = f"ab{suffix}!"
    r = client.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": pwd, "new_password2": pwd}
    )
    assert "不能包含身份证号" in r.content.decode()


def test_open_redirect_after_login_is_ignored(client):
    learner = LearnerFactory(must_change_password=False)
    r = client.post(
        reverse("accounts:login"),
        {
            "username": learner.username,
            "password": PASSWORD,
            "captcha_0": "x",
            "captcha_1": "PASSED",
            "next": "https://evil.example/",
        },
    )
    assert r["Location"] == reverse("accounts:after_login")
