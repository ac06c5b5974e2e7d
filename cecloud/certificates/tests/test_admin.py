"""Back office: certificates are read-only; operators revoke with a reason, which is audited."""

import pytest
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory, UnitHRFactory
from cecloud.certificates.models import Certificate, CertificateStatus
from cecloud.certificates.services import certificate_issue, certificate_revoke
from cecloud.core.errors import ServiceError
from cecloud.core.models import AuditLog

from .helpers import qualified_enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return certificate_issue(enrollment_id=qualified_enrollment(name="黄诗雨").pk)[0]


@pytest.fixture
def operator_client(client):
    client.force_login(OperatorFactory())
    return client


def test_the_list_and_detail_are_read_only(operator_client, certificate):
    listing = operator_client.get(reverse("admin:certificates_certificate_changelist"))
    html = listing.content.decode()
    assert listing.status_code == 200 and certificate.number in html
    assert certificate.id_number not in html  # masked in the list
    assert operator_client.get(reverse("admin:certificates_certificate_add")).status_code == 403
    detail = operator_client.get(reverse("admin:certificates_certificate_change", args=[certificate.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200 and "撤销此培训证明" in page
    assert 'name="_save"' not in page  # nothing editable
    posted = operator_client.post(
        reverse("admin:certificates_certificate_change", args=[certificate.pk]), {"name": "改名"}
    )
    assert posted.status_code == 403
    assert (
        operator_client.get(reverse("admin:certificates_certificate_delete", args=[certificate.pk])).status_code == 403
    )
    certificate.refresh_from_db()
    assert certificate.name == "黄诗雨"


def test_revoke_one_certificate_with_a_reason(operator_client, certificate):
    url = reverse("admin:certificates_certificate_revoke", args=[certificate.pk])
    form = operator_client.get(url)
    assert form.status_code == 200 and "撤销原因" in form.content.decode()
    empty = operator_client.post(url, {"reason": "  "})
    assert empty.status_code == 200  # the form again: a reason is required
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    done = operator_client.post(url, {"reason": "学员身份信息有误，重新核发"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoke_reason == "学员身份信息有误，重新核发" and certificate.revoked_at
    log = AuditLog.objects.get(event_type="certificate.revoked")
    assert log.actor is not None and log.extra_data["reason"] == "学员身份信息有误，重新核发"
    again = operator_client.get(reverse("admin:certificates_certificate_change", args=[certificate.pk]))
    assert "撤销此培训证明" not in again.content.decode()


def test_revoke_with_the_list_action(operator_client, certificate):
    other = certificate_issue(enrollment_id=qualified_enrollment().pk)[0]
    changelist = reverse("admin:certificates_certificate_changelist")
    selected = {"action": "revoke_selected", "_selected_action": [certificate.pk, other.pk]}
    form = operator_client.post(changelist, selected)
    assert form.status_code == 200 and "确认撤销" in form.content.decode()
    assert certificate.number in form.content.decode() and other.number in form.content.decode()
    done = operator_client.post(changelist, {**selected, "apply": "1", "reason": "培训机构数据造假"})
    assert done.status_code == 302
    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.REVOKED}
    assert AuditLog.objects.filter(event_type="certificate.revoked").count() == 2


def test_revoking_twice_or_without_a_reason_is_refused(certificate):
    with pytest.raises(ServiceError, match="撤销原因"):
        certificate_revoke(certificate=certificate, reason="")
    certificate_revoke(certificate=certificate, reason="错误")
    with pytest.raises(ServiceError, match="已撤销"):
        certificate_revoke(certificate=certificate, reason="再次")


def test_other_roles_have_no_access(client, certificate):
    client.force_login(UnitHRFactory())
    assert client.get(reverse("admin:certificates_certificate_changelist")).status_code in (302, 403)
    assert client.post(
        reverse("admin:certificates_certificate_revoke", args=[certificate.pk]), {"reason": "x"}
    ).status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
