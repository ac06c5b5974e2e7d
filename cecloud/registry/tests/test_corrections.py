"""修改信息: learners request corrections; operators or the person's unit HR approve or reject."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from cecloud.accounts.factories import BureauFactory, LearnerFactory, OperatorFactory, UnitHRFactory
from cecloud.core.errors import ConflictError, PermissionDeniedError, ServiceError
from cecloud.core.models import AuditLog
from cecloud.notifications.testing import file_outbox
from cecloud.registry import services
from cecloud.registry.factories import UnitFactory, region
from cecloud.registry.models import CorrectionRequest, Grade, PersonHistory, RequestStatus, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_outbox(settings, tmp_path):
    return file_outbox(settings, tmp_path)


@pytest.fixture
def learner():
    unit = UnitFactory(name="连云港市第一人民医院", region=region("320706"))
    return LearnerFactory(
        person__name="赵原名",
        person__phone="13912345678",
        person__unit=unit,
        person__grade=Grade.SENIOR,
        person__post="电工",
    )


def current_form(person, **changes):
    data = {
        "name": person.name,
        "phone": "",
        "unit_name": person.unit.name,
        "city": person.region.city.code,
        "county": person.region.code if person.region.level == "county" else "",
        "grade": person.grade,
        "post": person.post,
        "reason": "",
    }
    data.update(changes)
    return data


def test_profile_links_to_the_correction_page_and_the_form_is_prefilled_without_the_full_phone(client, learner):
    client.force_login(learner)
    assert reverse("registry:correction") in client.get(reverse("accounts:profile")).content.decode()
    html = client.get(reverse("registry:correction")).content.decode()
    for label in ["修改信息", "姓名", "手机号", "工作单位", "所属地区", "技术等级", "岗位", "提交修改申请"]:
        assert label in html
    assert 'value="赵原名"' in html and "13912345678" not in html and "139****5678" in html
    assert learner.person.id_number not in html


def test_submitting_only_the_changed_fields(client, learner):
    client.force_login(learner)
    person = learner.person
    r = client.post(
        reverse("registry:correction"),
        current_form(person, name="赵新名", phone="13800001234", grade=Grade.TECHNICIAN, reason="改名"),
    )
    assert r.status_code == 302
    c = CorrectionRequest.objects.get()
    assert c.changes == {"name": "赵新名", "phone": "13800001234", "grade": Grade.TECHNICIAN}
    assert c.reason == "改名" and c.status == RequestStatus.PENDING
    assert AuditLog.objects.filter(event_type="registry.correction_submitted", actor=learner).exists()
    # The pending request is shown, with no new form, on 修改信息 and on 个人信息.
    html = client.get(reverse("registry:correction")).content.decode()
    assert "正在审核中" in html and "赵新名" in html and "提交修改申请" not in html and "138****1234" in html
    assert "正在审核中" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({}, "您没有修改任何信息"),
        ({"name": "Zhao"}, "姓名应为2-20个汉字"),
        ({"phone": "12345"}, "手机号格式错误"),
        ({"unit_name": ""}, "请输入工作单位全称"),
        ({"city": ""}, "请选择所属地区（市）"),
        ({"city": "320100", "county": "320706"}, "所选县区不属于该市"),
        ({"grade": "boss"}, "请选择技术等级"),
        ({"name": ""}, "请输入姓名"),
    ],
)
def test_bad_correction_input_is_refused(client, learner, changes, message):
    client.force_login(learner)
    r = client.post(reverse("registry:correction"), current_form(learner.person, **changes))
    assert r.status_code == 400 and message in r.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_one_pending_request_per_person(client, learner):
    services.correction_submit(person=learner.person, changes={"post": "司机"})
    with pytest.raises(ConflictError, match="已有待审核"):
        services.correction_submit(person=learner.person, changes={"post": "厨师"})
    client.force_login(learner)
    r = client.post(reverse("registry:correction"), current_form(learner.person, post="厨师"), follow=True)
    assert "已有待审核" in r.content.decode()
    assert CorrectionRequest.objects.count() == 1


def test_service_validates_the_changes_itself(learner):
    for changes, message in [
        ({}, "没有修改"),
        ({"id_number": "x"}, "修改内容无效"),
        ({"phone": "1"}, "手机号格式错误"),
        ({"region": 10**9}, "所属地区无效"),
        ({"grade": "x"}, "技术等级无效"),
    ]:
        with pytest.raises(ServiceError, match=message):
            services.correction_submit(person=learner.person, changes=changes)


def test_operator_approval_applies_the_change_keeps_history_and_updates_the_account(
    learner, sms_outbox, django_capture_on_commit_callbacks
):
    person = learner.person
    old_unit = person.unit
    c = services.correction_submit(
        person=person,
        changes={
            "name": "赵新名",
            "phone": "13800001234",
            "unit": "灌云县水利局",
            "region": region("320723").pk,
            "post": "司机",
        },
    )
    op = OperatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_approve(correction=c, actor=op)
    person.refresh_from_db()
    learner.refresh_from_db()
    assert (person.name, person.phone, person.region.code, person.unit.name, person.post) == (
        "赵新名",
        "13800001234",
        "320723",
        "灌云县水利局",
        "司机",
    )
    assert person.unit.region.code == "320723" and Unit.objects.filter(pk=old_unit.pk).exists()
    assert learner.display_name == "赵新名" and learner.phone == "13800001234"
    h = PersonHistory.objects.get(person=person, source="correction")
    assert h.before["name"] == "赵原名" and h.after["name"] == "赵新名"
    assert h.before["phone"] == "13912345678" and h.after["phone"] == "13800001234"
    assert h.before["unit"] == "连云港市第一人民医院" and h.after["region"] == "连云港市灌云县"
    assert "grade" not in h.after and h.changed_by == op
    c.refresh_from_db()
    assert c.status == RequestStatus.APPROVED and c.reviewed_by == op
    assert AuditLog.objects.filter(event_type="registry.correction_approved", actor=op).exists()
    assert [m["template"] for m in sms_outbox.messages(phone="13800001234")] == ["correction_approved"]


def test_the_learner_sees_the_outcome_on_the_profile_page(client, learner):
    c = services.correction_submit(person=learner.person, changes={"post": "司机"})
    services.correction_reject(correction=c, actor=OperatorFactory(), reason="请提供单位证明")
    client.force_login(learner)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "未通过审核" in html and "请提供单位证明" in html
    # A new request may be submitted after a rejection.
    page = client.get(reverse("registry:correction")).content.decode()
    assert "提交修改申请" in page and "请提供单位证明" in page
    c2 = services.correction_submit(person=learner.person, changes={"post": "司机"})
    services.correction_approve(correction=c2, actor=OperatorFactory())
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "已通过审核" in html and "司机" in html


def test_rejection_records_the_reason_and_changes_nothing(learner, sms_outbox, django_capture_on_commit_callbacks):
    c = services.correction_submit(person=learner.person, changes={"name": "钱某某"})
    with pytest.raises(ServiceError, match="请填写驳回原因"):
        services.correction_reject(correction=c, actor=OperatorFactory(), reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_reject(correction=c, actor=OperatorFactory(), reason="与身份证不符")
    learner.person.refresh_from_db()
    assert learner.person.name == "赵原名" and not PersonHistory.objects.exists()
    c.refresh_from_db()
    assert c.status == RequestStatus.REJECTED and c.reject_reason == "与身份证不符"
    (msg,) = sms_outbox.messages(phone="13912345678")
    assert msg["template"] == "correction_rejected" and "与身份证不符" in msg["text"]


def test_unit_hr_reviews_only_its_own_peoples_requests(client, learner):
    mine = services.correction_submit(person=learner.person, changes={"post": "司机"})
    stranger = LearnerFactory()
    theirs = services.correction_submit(person=stranger.person, changes={"post": "厨师"})
    hr = UnitHRFactory(unit=learner.person.unit)
    client.force_login(hr)
    html = client.get(reverse("oversight:reviews")).content.decode()
    assert learner.person.name in html and stranger.person.name not in html
    assert client.get(reverse("oversight:correction_review", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("oversight:correction_review", args=[theirs.pk]), {"action": "approve"}).status_code == 404
    )
    page = client.get(reverse("oversight:correction_review", args=[mine.pk])).content.decode()
    assert "电工" in page and "司机" in page  # current and requested
    r = client.post(reverse("oversight:correction_review", args=[mine.pk]), {"action": "approve"})
    assert r.status_code == 302
    learner.person.refresh_from_db()
    assert learner.person.post == "司机"
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.PENDING
    with pytest.raises(PermissionDeniedError):
        services.correction_approve(correction=theirs, actor=hr)
    with pytest.raises(PermissionDeniedError):
        services.correction_reject(correction=theirs, actor=BureauFactory(), reason="x")


def test_unit_hr_rejects_a_correction_with_a_reason(client, learner):
    c = services.correction_submit(person=learner.person, changes={"grade": Grade.SENIOR_TECHNICIAN})
    hr = UnitHRFactory(unit=learner.person.unit)
    client.force_login(hr)
    url = reverse("oversight:correction_review", args=[c.pk])
    assert client.post(url, {"action": "reject", "reason": ""}).status_code == 400
    client.post(url, {"action": "reject", "reason": "等级证书未更新"})
    c.refresh_from_db()
    assert c.status == RequestStatus.REJECTED and c.reject_reason == "等级证书未更新"
    # A decided request shows its outcome and no buttons; deciding again is refused.
    page = client.get(url).content.decode()
    assert "等级证书未更新" in page and "审核通过" not in page
    r = client.post(url, {"action": "approve"}, follow=True)
    assert "已处理" in r.content.decode()


def test_operator_admin_actions_for_corrections(client, learner):
    c = services.correction_submit(person=learner.person, changes={"post": "司机", "phone": "13800001234"})
    client.force_login(OperatorFactory())
    url = reverse("admin:registry_correctionrequest_changelist")
    html = client.get(url).content.decode()
    assert "信息修改申请" in html and "岗位" in html and "手机号" in html
    change_page = client.get(reverse("admin:registry_correctionrequest_change", args=[c.pk])).content.decode()
    assert "赵原名" in change_page and 'name="_save"' not in change_page  # read-only: decide with the actions
    assert "赵原名" in client.get(url, {"city": "320700"}).content.decode()
    assert "赵原名" not in client.get(url, {"city": "320100"}).content.decode()
    r = client.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [c.pk], "index": 0}, follow=True)
    assert "已通过 1 条申请" in r.content.decode()
    learner.person.refresh_from_db()
    assert learner.person.post == "司机"
