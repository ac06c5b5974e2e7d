"""Logging in through the home page at desktop and phone width, with the forced password change."""

from __future__ import annotations

import pytest

from cecloud.accounts.models import User
from cecloud.registry.factories import PersonFactory

from .conftest import fill_login

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_login_sets_a_new_password_then_offers_the_center(live_server, page, shot):
    person = PersonFactory(name="王测试")
    page.goto(live_server.url + "/")
    assert page.locator("text=培训流程").is_visible()
    assert page.locator(".process-step").count() == 5
    shot("home")
    fill_login(page, person.id_number, person.id_number[-6:])
    page.wait_for_url("**/accounts/password/**")
    assert page.locator("text=您正在使用默认密码登录").is_visible()
    shot("password-first")
    page.fill("#id_old_password", person.id_number[-6:])
    page.fill("#id_new_password1", "Xin#mima2023")
    page.fill("#id_new_password2", "Xin#mima2023")
    page.click("button:has-text('确认修改')")
    page.wait_for_url("**/accounts/welcome/")
    assert page.locator("a:has-text('进入学员中心')").is_visible()
    assert page.locator("a:has-text('去报名')").is_visible()
    shot("after-login")
    page.click("a:has-text('进入学员中心')")
    page.wait_for_url("**/training/classes/")
    assert page.locator(".center-menu >> text=个人信息").is_visible()
    page.click(".center-menu >> text=个人信息")
    assert page.locator(f"text={person.id_number[:3]}***********{person.id_number[-4:]}").is_visible()
    shot("profile")
    assert not User.objects.get(person=person).must_change_password


def test_wrong_password_shows_one_generic_message(live_server, page):
    person = PersonFactory()
    page.goto(live_server.url + "/")
    fill_login(page, person.id_number, "wrong-password")
    assert page.locator("text=身份证号或密码错误").is_visible()
