"""Back office accounts admin, in Simplified Chinese."""

import pytest
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.accounts.models import User
from cecloud.core.roles import Role
from cecloud.registry.factories import UnitFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def op_client():
    c = Client()
    c.force_login(OperatorFactory())
    return c


def add(op_client, **data):
    base = {"username": "hr_new", "display_name": "新单位人事科", "role": "", "unit": "", "region": "", "phone": ""}
    base.update(data)
    return op_client.post(reverse("admin:accounts_user_add"), base)


def test_the_back_office_speaks_chinese(op_client):
    html = op_client.get(reverse("admin:index")).content.decode()
    assert "运营后台" in html and "帐号" in html and "审计日志" in html and "入库申请" in html
    html = op_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "搜索" in html and "角色" in html and "管理单位" in html and "过滤器" in html


def test_staff_accounts_are_created_with_a_password_and_a_scope(op_client):
    page = op_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "新建工作人员帐号" in page and 'value="learner"' not in page
    assert "After you" not in page  # no untranslated text
    r = add(op_client, role=Role.UNIT_HR, password1="Strong#pass1", password2="Strong#pass1")
    assert r.status_code == 200 and "单位管理员须指定管理单位" in r.content.decode()
    r = add(op_client, role=Role.BUREAU, password1="Strong#pass1", password2="Strong#pass1")
    assert "人社局管理员须指定管理地区" in r.content.decode()
    r = add(op_client, role=Role.UNIT_HR, unit=UnitFactory().pk, password1="Strong#pass1", password2="Strong#pass2")
    assert not User.objects.filter(username="hr_new").exists()
    r = add(op_client, role=Role.UNIT_HR, unit=UnitFactory().pk, password1="abc", password2="abc")
    assert "密码长度太短" in r.content.decode()
    r = add(
        op_client, username="320706197001010116", role=Role.OPERATOR, password1="Strong#pass1", password2="Strong#pass1"
    )
    assert "不能使用身份证号格式" in r.content.decode()
    unit = UnitFactory()
    r = add(op_client, role=Role.UNIT_HR, unit=unit.pk, password1="Strong#pass1", password2="Strong#pass1")
    assert r.status_code == 302
    hr = User.objects.get(username="hr_new")
    assert hr.role == Role.UNIT_HR and hr.unit == unit and hr.check_password("Strong#pass1") and not hr.is_staff
    r = add(
        op_client,
        username="bureau_new",
        role=Role.BUREAU,
        region=region("320700").pk,
        password1="Strong#pass1",
        password2="Strong#pass1",
    )
    assert r.status_code == 302 and User.objects.get(username="bureau_new").region.code == "320700"
    r = add(op_client, username="op_new", role=Role.OPERATOR, password1="Strong#pass1", password2="Strong#pass1")
    assert r.status_code == 302 and User.objects.get(username="op_new").is_staff


def test_staff_list_filters_by_role_and_shows_scope(op_client):
    hr = UnitHRFactory(unit=UnitFactory(name="某某医院"))
    learner = LearnerFactory(person__phone="13912345678")
    html = op_client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "unit_hr"}).content.decode()
    assert hr.username in html and "某某医院" in html and learner.username not in html
    html = op_client.get(reverse("admin:accounts_user_changelist"), {"q": learner.username}).content.decode()
    assert learner.username in html


def test_learner_accounts_are_read_mostly(op_client):
    learner = LearnerFactory(display_name="原名")
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    page = op_client.get(url).content.decode()
    assert 'name="display_name"' not in page and 'name="is_active"' in page and "后台权限" not in page
    r = op_client.post(url, {"display_name": "篡改", "role": "operator", "is_active": "", "must_change_password": "on"})
    assert r.status_code == 302
    learner.refresh_from_db()
    assert learner.display_name == "原名" and learner.role == Role.LEARNER and learner.is_superuser is False
    assert not learner.is_active and learner.must_change_password


def test_a_staff_scope_change_is_checked(op_client):
    hr = UnitHRFactory()
    url = reverse("admin:accounts_user_change", args=[hr.pk])
    data = {
        "username": hr.username,
        "display_name": hr.display_name,
        "role": "unit_hr",
        "unit": "",
        "region": "",
        "phone": "",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    r = op_client.post(url, data)
    assert r.status_code == 200 and "单位管理员须指定管理单位" in r.content.decode()
    hr.refresh_from_db()
    assert hr.unit_id is not None


def test_non_operators_cannot_enter_the_back_office():
    c = Client()
    c.force_login(UnitHRFactory())
    r = c.get(reverse("admin:index"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
