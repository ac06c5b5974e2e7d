"""入库申请: the public form (every bad input), neutral answers, review by operators and unit HR."""

import threading

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import BureauFactory, LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.core.errors import ConflictError, PermissionDeniedError, ServiceError
from cecloud.core.models import AuditLog
from cecloud.core.testing import require_postgres
from cecloud.notifications.testing import file_outbox
from cecloud.registry import services
from cecloud.registry.factories import PersonFactory, UnitFactory, region, valid_id_number
from cecloud.registry.models import Application, Grade, Person, PersonHistory, RequestStatus, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_outbox(settings, tmp_path):
    return file_outbox(settings, tmp_path)


NEW_ID = "32070619900101102X"  # valid check digit (X), not in the registry


def form_data(**overrides):
    data = {
        "name": "李新人",
        "id_number": NEW_ID,
        "phone": "13800138000",
        "unit_name": "连云港市第一人民医院",
        "city": "320700",
        "county": "320706",
        "grade": Grade.SENIOR,
        "post": "驾驶员",
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    data.update(overrides)
    return data


def submit(client=None, **overrides):
    return (client or Client()).post(reverse("registry:apply"), form_data(**overrides))


def make_application(unit=None, **kw) -> Application:
    reg = unit.region if unit else region("320706")
    defaults = dict(
        name="王申请",
        id_number=valid_id_number("320706"),
        phone="13900001111",
        unit_name=unit.name if unit else "新成立的单位",
        unit=unit,
        region=reg,
        grade=Grade.INTERMEDIATE,
        post="电工",
    )
    defaults.update(kw)
    return Application.objects.create(**defaults)


# --- The form ---------------------------------------------------------------------------------


def test_the_form_has_the_templates_fields_and_a_captcha():
    html = Client().get(reverse("registry:apply")).content.decode()
    for label in ["姓名", "身份证号", "手机号", "工作单位", "所属地区", "技术等级", "岗位", "验证码", "提交申请"]:
        assert label in html
    assert "连云港市" in html and 'hx-get="/registry/regions/counties/"' in html


def test_county_options_follow_the_chosen_city():
    html = Client().get(reverse("registry:county_options"), {"city": "320700"}).content.decode()
    assert "海州区" in html and "市直单位" in html and "玄武区" not in html
    assert "请先选择市" in Client().get(reverse("registry:county_options"), {"city": "320706"}).content.decode()


def test_a_good_application_is_stored_with_the_matched_unit():
    unit = UnitFactory(name="连云港市第一人民医院", region=region("320706"))
    r = submit(id_number=NEW_ID[:-1] + NEW_ID[-1].lower(), phone="138 0013 8000")
    assert r.status_code == 302 and r["Location"] == reverse("registry:apply_done")
    app = Application.objects.get()
    assert (app.name, app.id_number, app.phone, app.unit, app.region.code, app.status) == (
        "李新人",
        NEW_ID,
        "13800138000",
        unit,
        "320706",
        RequestStatus.PENDING,
    )
    assert AuditLog.objects.filter(event_type="registry.application_submitted", subject_id=str(app.pk)).exists()


def test_full_width_input_is_normalised():
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in NEW_ID)
    assert submit(id_number=fullwidth, phone="１３８００１３８０００", name=" 李新人 ").status_code == 302
    app = Application.objects.get()
    assert app.id_number == NEW_ID and app.phone == "13800138000" and app.name == "李新人"


def test_a_city_level_unit_needs_no_county():
    assert submit(county="", unit_name="连云港市人社局").status_code == 302
    assert Application.objects.get().region.code == "320700"


def test_the_done_page_shows_the_neutral_message_once():
    c = Client()
    submit(c)
    html = c.get(reverse("registry:apply_done")).content.decode()
    assert "申请已提交" in html and "审核结果将以短信通知" in html
    assert c.get(reverse("registry:apply_done"))["Location"] == reverse("registry:apply")


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"name": ""}, "请输入姓名"),
        ({"name": "Li123"}, "姓名应为2-20个汉字"),
        ({"name": "李"}, "姓名应为2-20个汉字"),
        ({"id_number": ""}, "请输入身份证号"),
        ({"id_number": "320706900101123"}, "不支持15位旧身份证号"),
        ({"id_number": "32070619900101123"}, "身份证号应为18位，当前为17位"),
        ({"id_number": "320706199001011021"}, "身份证号校验位错误"),
        ({"id_number": "320706199002301234"}, "身份证号出生日期无效"),
        ({"id_number": "990706199001011235"}, "身份证号地址码错误"),
        ({"id_number": "32070619900101123A"}, "前17位须为数字，末位为数字或X"),
        ({"phone": ""}, "请输入手机号"),
        ({"phone": "1380013800"}, "手机号格式错误"),
        ({"phone": "23800138000"}, "手机号格式错误"),
        ({"unit_name": ""}, "请输入工作单位全称"),
        ({"unit_name": "医"}, "请输入工作单位全称"),
        ({"unit_name": "单" * 101}, "工作单位不能超过100字"),
        ({"city": ""}, "请选择所属地区（市）"),
        ({"city": "320706"}, "请选择所属地区（市）"),
        ({"city": "999999"}, "请选择所属地区（市）"),
        ({"city": "320100", "county": "320706"}, "所选县区不属于该市"),
        ({"grade": ""}, "请选择技术等级"),
        ({"grade": "master"}, "请选择技术等级"),
        ({"post": ""}, "请输入岗位"),
        ({"captcha_1": "WRONG"}, "验证码错误"),
        ({"captcha_1": ""}, "请输入验证码"),
    ],
)
def test_every_bad_input_is_refused_with_a_clear_message(overrides, field_message):
    r = submit(**overrides)
    assert r.status_code == 400
    assert field_message in r.content.decode()
    assert not Application.objects.exists()


def test_an_id_already_in_the_registry_gets_the_same_answer_and_no_application(
    sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(phone="13911112222")
    with django_capture_on_commit_callbacks(execute=True):
        r1 = submit(id_number=person.id_number, phone="13800138000")
        r2 = submit(id_number=person.id_number, phone="13800138000")
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == reverse("registry:apply_done")
    assert not Application.objects.exists()
    # The phone on file (not the one typed) is told, at most once a day; the typed phone hears nothing.
    assert [m["template"] for m in sms_outbox.messages(phone="13911112222")] == ["already_registered"]
    assert sms_outbox.messages(phone="13800138000") == []
    assert AuditLog.objects.filter(event_type="registry.application_in_registry").count() == 2


def test_a_second_pending_application_for_the_same_id_is_not_stored_but_answered_the_same():
    assert submit().status_code == 302
    r = submit(name="张冒名", phone="13700000000")
    assert r.status_code == 302 and r["Location"] == reverse("registry:apply_done")
    assert Application.objects.count() == 1 and Application.objects.get().name == "李新人"
    assert AuditLog.objects.filter(event_type="registry.application_duplicate").exists()


def test_after_a_rejection_a_new_application_may_be_submitted():
    app = make_application(id_number=NEW_ID)
    services.application_reject(application=app, actor=OperatorFactory(), reason="信息不全")
    assert submit().status_code == 302
    assert Application.objects.filter(status=RequestStatus.PENDING).count() == 1


# --- Review by operators ------------------------------------------------------------------------


def test_operator_approval_adds_the_person_with_history_audit_and_sms(sms_outbox, django_capture_on_commit_callbacks):
    unit = UnitFactory(name="连云港市第一人民医院", region=region("320706"))
    app = make_application(unit=unit, phone="13900001111")
    op = OperatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        person = services.application_approve(application=app, actor=op)
    app.refresh_from_db()
    assert app.status == RequestStatus.APPROVED and app.person == person and app.reviewed_by == op
    assert (person.id_number, person.unit, person.region, person.grade, person.status) == (
        app.id_number,
        unit,
        unit.region,
        Grade.INTERMEDIATE,
        "active",
    )
    history = PersonHistory.objects.get(person=person)
    assert history.source == "application" and history.before == {} and history.after["unit"] == unit.name
    assert AuditLog.objects.filter(event_type="registry.application_approved", actor=op).exists()
    (msg,) = sms_outbox.messages(phone="13900001111")
    assert msg["template"] == "application_approved" and "王申请您好" in msg["text"]


def test_approved_person_can_then_log_in_with_the_default_password():
    app = make_application()
    services.application_approve(application=app, actor=OperatorFactory())
    r = Client().post(
        reverse("accounts:login"),
        {"username": app.id_number, "password": app.id_number[-6:], "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert r.status_code == 302


def test_an_unmatched_unit_is_created_once_in_the_applicants_region():
    op = OperatorFactory()
    a1 = make_application(unit_name="灌云县水利局", region=region("320723"))
    a2 = make_application(unit_name="灌云县水利局", region=region("320723"))
    p1 = services.application_approve(application=a1, actor=op)
    p2 = services.application_approve(application=a2, actor=op)
    assert p1.unit == p2.unit and p1.unit.region.code == "320723"
    assert Unit.objects.filter(name="灌云县水利局").count() == 1


def test_a_city_level_unit_matches_an_application_from_one_of_its_counties():
    unit = UnitFactory(name="连云港市人力资源和社会保障局", region=region("320700"))
    submit(unit_name="连云港市人力资源和社会保障局", county="320706")
    assert Application.objects.get().unit == unit


def test_rejection_needs_a_reason_and_records_it(sms_outbox, django_capture_on_commit_callbacks):
    app = make_application(phone="13900002222")
    op = OperatorFactory()
    with pytest.raises(ServiceError, match="请填写驳回原因"):
        services.application_reject(application=app, actor=op, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=app, actor=op, reason="非本单位在岗工勤人员")
    app.refresh_from_db()
    assert app.status == RequestStatus.REJECTED and app.reject_reason == "非本单位在岗工勤人员"
    assert not Person.objects.filter(id_number=app.id_number).exists()
    (msg,) = sms_outbox.messages(phone="13900002222")
    assert msg["template"] == "application_rejected" and "非本单位在岗工勤人员" in msg["text"]


def test_a_decided_application_cannot_be_decided_again():
    app = make_application()
    op = OperatorFactory()
    services.application_approve(application=app, actor=op)
    with pytest.raises(ConflictError, match="已处理"):
        services.application_approve(application=app, actor=op)
    with pytest.raises(ConflictError, match="已处理"):
        services.application_reject(application=app, actor=op, reason="x")


def test_an_id_that_entered_the_registry_meanwhile_is_not_duplicated():
    app = make_application()
    PersonFactory(id_number=app.id_number)
    with pytest.raises(ConflictError, match="已在人员库中"):
        services.application_approve(application=app, actor=OperatorFactory())
    app.refresh_from_db()
    assert app.status == RequestStatus.PENDING and Person.objects.filter(id_number=app.id_number).count() == 1


def test_a_failing_sms_provider_does_not_undo_the_approval(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ""  # misconfigured: every send fails
    app = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=app, actor=OperatorFactory())
    app.refresh_from_db()
    assert app.status == RequestStatus.APPROVED


def test_operator_admin_actions_approve_and_reject_with_a_reason(client):
    op = OperatorFactory()
    client.force_login(op)
    a1, a2, a3 = make_application(), make_application(), make_application()
    url = reverse("admin:registry_application_changelist")
    assert "入库申请" in client.get(url).content.decode()
    r = client.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [a1.pk], "index": 0}, follow=True)
    assert "已通过 1 条申请" in r.content.decode()
    a1.refresh_from_db()
    assert a1.status == RequestStatus.APPROVED
    # Reject: the first POST asks for the reason, the second applies it.
    r = client.post(url, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [a2.pk, a3.pk], "index": 0})
    assert r.status_code == 200 and "驳回原因" in r.content.decode()
    r = client.post(
        url, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [a2.pk, a3.pk], "apply_reject": "1", "reason": ""}
    )
    assert "请填写驳回原因" in r.content.decode()
    r = client.post(
        url,
        {"action": "reject_selected", ACTION_CHECKBOX_NAME: [a2.pk, a3.pk], "apply_reject": "1", "reason": "重复申请"},
        follow=True,
    )
    assert "已驳回 2 条申请" in r.content.decode()
    assert set(Application.objects.filter(status="rejected").values_list("reject_reason", flat=True)) == {"重复申请"}
    # Already decided: reported, not changed.
    r = client.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [a2.pk], "index": 0}, follow=True)
    assert "已处理" in r.content.decode()
    a2.refresh_from_db()
    assert a2.status == RequestStatus.REJECTED
    # Filter by city: an application from a county belongs to its city.
    make_application(name="南京人", region=region("320106"))
    html = client.get(url, {"city": "320100"}).content.decode()
    assert "南京人" in html and "王申请" not in html
    assert "王申请" in client.get(url, {"city": "320700"}).content.decode()
    # The change page shows the request; operators cannot add requests.
    assert client.get(reverse("admin:registry_application_change", args=[a1.pk])).status_code == 200
    assert client.get(reverse("admin:registry_application_add")).status_code == 403


# --- Review by unit HR ----------------------------------------------------------------------------


def test_unit_hr_sees_and_approves_only_its_own_units_applications(client, django_capture_on_commit_callbacks):
    hr = UnitHRFactory()
    mine = make_application(unit=hr.unit, name="本单位")
    other = make_application(unit=UnitFactory(), name="外单位")
    unmatched = make_application(name="未匹配")
    client.force_login(hr)
    html = client.get(reverse("oversight:reviews")).content.decode()
    assert "本单位" in html and "外单位" not in html and "未匹配" not in html
    assert mine.id_number not in html  # masked in the list
    assert client.get(reverse("oversight:application_review", args=[other.pk])).status_code == 404
    assert client.get(reverse("oversight:application_review", args=[unmatched.pk])).status_code == 404
    assert (
        client.post(reverse("oversight:application_review", args=[other.pk]), {"action": "approve"}).status_code == 404
    )
    detail = client.get(reverse("oversight:application_review", args=[mine.pk]))
    assert detail.status_code == 200 and mine.id_number in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("oversight:application_review", args=[mine.pk]), {"action": "approve"})
    assert r.status_code == 302 and r["Location"] == reverse("oversight:reviews")
    mine.refresh_from_db()
    assert mine.status == RequestStatus.APPROVED and mine.reviewed_by == hr and mine.person.unit == hr.unit
    other.refresh_from_db()
    assert other.status == RequestStatus.PENDING


def test_unit_hr_rejects_with_a_reason(client):
    hr = UnitHRFactory()
    app = make_application(unit=hr.unit)
    client.force_login(hr)
    url = reverse("oversight:application_review", args=[app.pk])
    r = client.post(url, {"action": "reject", "reason": ""})
    assert r.status_code == 400 and "请填写驳回原因" in r.content.decode()
    r = client.post(url, {"action": "reject", "reason": "已离职"}, follow=True)
    assert "已驳回" in r.content.decode()
    app.refresh_from_db()
    assert app.status == RequestStatus.REJECTED and app.reject_reason == "已离职"
    assert "已离职" in client.get(reverse("oversight:reviews")).content.decode()  # 最近处理


def test_service_refuses_a_unit_hr_of_another_unit():
    app = make_application(unit=UnitFactory())
    with pytest.raises(PermissionDeniedError):
        services.application_approve(application=app, actor=UnitHRFactory())
    with pytest.raises(PermissionDeniedError):
        services.application_reject(application=app, actor=BureauFactory(), reason="x")


def test_review_pages_are_for_unit_hr_only(client):
    assert client.get(reverse("oversight:reviews")).status_code == 302  # to login
    for user in (BureauFactory(), LearnerFactory()):
        c = Client()
        c.force_login(user)
        assert c.get(reverse("oversight:reviews")).status_code == 403


def test_old_review_entry_point_redirects_by_role():
    hr, op = UnitHRFactory(), OperatorFactory()
    c = Client()
    c.force_login(hr)
    assert c.get(reverse("registry:review_list"))["Location"] == reverse("oversight:reviews")
    c.force_login(op)
    assert c.get(reverse("registry:review_list"))["Location"] == reverse("admin:registry_application_changelist")


def test_review_list_query_count_does_not_grow_with_the_queue(client, django_assert_max_num_queries):
    hr = UnitHRFactory()
    for _ in range(3):
        make_application(unit=hr.unit)
    client.force_login(hr)
    client.get(reverse("oversight:reviews"))
    with django_assert_max_num_queries(12) as ctx:
        client.get(reverse("oversight:reviews"))
    small = len(ctx.captured_queries)
    for _ in range(10):
        make_application(unit=hr.unit)
    with django_assert_max_num_queries(small):
        client.get(reverse("oversight:reviews"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_add_the_person_once():
    require_postgres()
    hr = UnitHRFactory()
    op = OperatorFactory()
    app = make_application(unit=hr.unit)
    barrier = threading.Barrier(2)
    results = []

    def worker(actor):
        try:
            barrier.wait()
            services.application_approve(application=app, actor=actor)
            results.append("ok")
        except ServiceError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in (hr, op)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and any("已处理" in r for r in results)
    assert Person.objects.filter(id_number=app.id_number).count() == 1
    assert PersonHistory.objects.filter(person__id_number=app.id_number).count() == 1
