"""Verification codes: limits per phone, expiry, single use, wrong entries, hashed storage."""

import threading
from unittest import mock

import pytest
from django.db import connection

from cecloud.core.errors import ServiceError
from cecloud.core.testing import require_postgres
from cecloud.notifications import services
from cecloud.notifications.models import SmsLog, VerificationCode
from cecloud.notifications.senders import SmsError
from cecloud.notifications.senders.file import FileSender, read_messages
from cecloud.notifications.services import CheckOutcome, SendRefused, code_check, code_send

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def last_code(phone=PHONE) -> str:
    return read_messages(phone=phone)[-1]["params"]["code"]


def send(phone=PHONE, scope="person:1", purpose="password_reset"):
    return code_send(phone=phone, purpose=purpose, scope=scope)


def check(code, phone=PHONE, scope="person:1", purpose="password_reset"):
    return code_check(phone=phone, purpose=purpose, scope=scope, code=code)


def test_a_six_digit_code_is_sent_and_stored_only_as_a_keyed_hash(sms_file, clock):
    row = send()
    code = last_code()
    assert len(code) == 6 and code.isdigit()
    row.refresh_from_db()
    stored = " ".join(str(v) for v in VerificationCode.objects.values_list().get(pk=row.pk))
    assert code not in stored and len(row.code_hash) == 64
    # The log of sent messages records the template, never the code.
    log = SmsLog.objects.get()
    assert log.template == "verify_code" and log.status == SmsLog.Status.SENT
    assert code not in " ".join(str(v) for v in SmsLog.objects.values_list().get())
    assert row.expires_at - row.created_at == services.CODE_TTL
    assert check(code).ok


def test_the_code_is_single_use(sms_file, clock):
    send()
    code = last_code()
    assert check(code).ok
    again = check(code)
    assert again.outcome is CheckOutcome.NONE and "请先获取验证码" in again.message


def test_the_code_expires_after_five_minutes(sms_file, clock):
    send()
    code = last_code()
    clock.advance(minutes=4, seconds=59)
    assert check("000000" if code != "000000" else "111111").outcome is CheckOutcome.WRONG
    clock.advance(seconds=1)
    result = check(code)
    assert result.outcome is CheckOutcome.EXPIRED and result.message == "验证码已过期，请重新获取"
    assert VerificationCode.objects.get().state == VerificationCode.State.EXPIRED


def test_a_code_just_before_expiry_still_works(sms_file, clock):
    send()
    clock.advance(minutes=4, seconds=59)
    assert check(last_code()).ok


def test_three_wrong_entries_void_the_code_even_the_right_one_after(sms_file, clock):
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    first = check(wrong)
    assert first.outcome is CheckOutcome.WRONG and first.message == "验证码错误，还可输入2次"
    assert check("12ab").message == "验证码错误，还可输入1次"  # malformed input counts too
    third = check(wrong)
    assert third.outcome is CheckOutcome.VOIDED and "已失效" in third.message
    assert check(code).outcome is CheckOutcome.NONE
    row = VerificationCode.objects.get()
    assert row.state == VerificationCode.State.VOIDED and row.attempts == 3


def test_resend_is_refused_within_sixty_seconds_and_replaces_the_old_code(sms_file, clock):
    send()
    old = last_code()
    clock.advance(seconds=30)
    with pytest.raises(SendRefused) as exc:
        send()
    assert exc.value.message == "验证码发送过于频繁，请30秒后再试" and exc.value.retry_after == 30
    assert services.seconds_until_resend(phone=PHONE) == 30
    clock.advance(seconds=30)
    assert services.seconds_until_resend(phone=PHONE) == 0
    send()
    new = last_code()
    states = list(VerificationCode.objects.order_by("created_at").values_list("state", flat=True))
    assert states == ["superseded", "active"]
    if old != new:
        assert check(old).outcome is CheckOutcome.WRONG
    assert check(new).ok


def test_the_resend_interval_is_per_phone_whatever_the_purpose_or_scope(sms_file, clock):
    send(scope="person:1")
    with pytest.raises(SendRefused):
        send(scope="person:2")
    with pytest.raises(SendRefused):
        send(purpose="other")
    send(phone="13912345679")  # another phone is independent


def test_at_most_five_codes_an_hour(sms_file, clock):
    for _ in range(5):
        send()
        clock.advance(seconds=61)
    with pytest.raises(SendRefused) as exc:
        send()
    assert "1小时内获取验证码次数已达上限" in exc.value.message
    # The window slides: an hour after the first one, one more is allowed.
    clock.advance(seconds=3600 - 5 * 61 + 1)
    send()


def test_at_most_ten_codes_in_twenty_four_hours(sms_file, clock):
    for i in range(10):
        send()
        clock.advance(minutes=13 if i % 5 != 4 else 61)
    with pytest.raises(SendRefused) as exc:
        send()
    assert "24小时内获取验证码次数已达上限" in exc.value.message and "4000968823" in exc.value.message
    clock.advance(hours=22)
    send()


def test_a_failed_send_is_reported_and_not_counted_against_the_hourly_limit(sms_file, clock):
    def broken(self, phone, template, params):
        raise SmsError("network down", code="network", transient=True)

    with mock.patch.object(FileSender, "send", broken), pytest.raises(ServiceError) as exc:
        send()
    assert "短信发送失败" in exc.value.message and "4000968823" in exc.value.message
    assert VerificationCode.objects.get().state == VerificationCode.State.FAILED
    assert SmsLog.objects.get().status == SmsLog.Status.FAILED
    clock_start = clock.now
    for _ in range(5):
        clock.advance(seconds=61)
        send()
    assert clock.now - clock_start < services.timedelta(hours=1)


def test_codes_are_bound_to_their_scope(sms_file, clock):
    send(scope="person:1")
    code = last_code()
    assert check(code, scope="person:2").outcome is CheckOutcome.NONE
    assert check(code, scope="person:1").ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_phone_send_exactly_one_code(sms_file):
    require_postgres()
    barrier = threading.Barrier(6)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            send()
            outcomes.append("sent")
        except SendRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["sent"]
    assert VerificationCode.objects.count() == 1 and len(read_messages(phone=PHONE)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_of_the_right_code_succeed_once(sms_file):
    require_postgres()
    send()
    code = last_code()
    barrier = threading.Barrier(5)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(check(code).ok)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 4 + [True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_entries_are_all_counted(sms_file):
    require_postgres()
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    barrier = threading.Barrier(3)

    def worker():
        try:
            barrier.wait()
            check(wrong)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = VerificationCode.objects.get()
    assert row.attempts == 3 and row.state == VerificationCode.State.VOIDED
    assert check(code).outcome is CheckOutcome.NONE
