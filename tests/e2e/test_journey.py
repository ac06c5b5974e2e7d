"""The whole learner journey of the manual, on demo data, in a real browser — once at desktop
width (a 高级技师, 40 学时) and once at phone width (a 中级工, 24 学时):

login with the default password → set a new password → 去报名 → year → invoice → 提交订单 →
立即支付 → 确认支付 → 报名成功 → 学员中心 → 我的班级 → 立即学习 → 立即选课 until the structure is
met → 确认选中的课程 → watch every selected course → 课后测验 (fail once, read the answers,
继续测验, pass) → 我要评价 → the class qualifies → 培训证明 → 打印培训证明 (the PDF's text holds
the name and hours) → verify the certificate on the public page → 发票下载 → 信息中心 → 个人信息
→ 修改密码.

Screenshots: test-artifacts/screenshots/journey-*-{desktop,phone}.png (CI prints the folder).
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cecloud.accounts.demo import demo_learners
from cecloud.billing.models import Order, OrderStatus
from cecloud.certificates.models import Certificate
from cecloud.exams.models import QuizAttempt
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.training.models import Enrollment, EnrollmentStatus, HourLedgerEntry

from .conftest import SCREENSHOTS, fill_login

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Gqjy#2023x"
CATEGORY_LABELS = {"ideology": "思政", "general": "通识", "skill": "岗位提升"}


@pytest.fixture
def journey_settings(settings, live_server):
    settings.CECLOUD_HEARTBEAT_SECONDS = 1
    settings.CECLOUD_ATTENTION_CHECK_SECONDS = "6-9"
    settings.CECLOUD_PUBLIC_BASE_URL = live_server.url
    return settings


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def answer_quiz(page, attempt: QuizAttempt, *, correct: bool) -> None:
    for item in attempt.items.order_by("position"):
        if correct:
            choices = item.correct
        else:  # a wrong answer for every question
            choices = [next(i for i in range(len(item.options)) if i not in item.correct)]
        for position in choices:
            page.locator(f'input[name="q{item.pk}"][value="{position}"]').check()
    page.locator("#answer-card button:text-is('我要交卷')").click()
    page.wait_for_url(f"**/exams/attempts/{attempt.public_id}/")


def watch_course(page) -> None:
    """Play from the first unfinished chapter; the player moves on by itself; answer attention checks."""
    page.wait_for_function(
        "() => { const v = document.querySelector('#player-video'); return v && v.readyState >= 1; }"
    )
    page.evaluate("document.querySelector('#player-video').play()")
    chapters = page.locator(".chapter-item")
    total = chapters.count()
    overlay = page.locator("#attention-overlay")
    for _ in range(600):
        if page.locator(".chapter-item.complete").count() == total:
            break
        if overlay.is_visible():
            page.click("#attention-continue")
            overlay.wait_for(state="hidden")
        elif page.evaluate(
            "(() => { const v = document.querySelector('#player-video'); return v.paused && !v.ended; })()"
        ):
            page.evaluate("document.querySelector('#player-video').play().catch(() => {})")
        page.wait_for_timeout(250)
    assert page.locator(".chapter-item.complete").count() == total, "every chapter reaches 100%"
    page.locator("#quiz-link:not(.disabled)").wait_for()


def test_the_whole_journey_of_the_manual(live_server, page, shot, journey_settings):
    call_command("load_demo", stdout=io.StringIO())
    # Desktop: the first demo learner (高级技师); phone: the second (中级工).
    person = demo_learners(2)[0 if page.viewport_name == "desktop" else 1]
    required = 40 if person.grade in ("technician", "senior_technician") else 24

    # 登录 with the default password → 修改密码 first.
    page.goto(live_server.url + "/")
    shot("journey-01-home")
    fill_login(page, person.id_number, person.id_number[-6:])
    page.wait_for_url("**/accounts/password/**")
    page.fill("#id_old_password", person.id_number[-6:])
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("button:has-text('确认修改')")
    page.wait_for_url("**/accounts/welcome/")
    shot("journey-02-welcome")

    # 报名缴费: 去报名 → 2023 → 下一步 → invoice → 提交订单 → 立即支付 → 确认支付 → 报名成功.
    page.click("a:has-text('去报名')")
    page.wait_for_url("**/billing/register/")
    page.locator("input[name=year][value='2023']").check()
    shot("journey-03-year")
    page.click("button:has-text('下一步')")
    page.wait_for_url("**/billing/register/2023/")
    assert page.get_by_text(f"年度: 2023 技术等级: {person.get_grade_display()}").is_visible()
    assert page.locator("#id_title").input_value() == person.name
    shot("journey-04-confirm")
    page.click("button:has-text('提交订单')")
    page.wait_for_url("**/billing/orders/*/")
    assert "订单状态: 待支付" in flat(page.locator(".order-head").inner_text())
    shot("journey-05-order")
    page.click("button:has-text('立即支付')")
    page.wait_for_url("**/billing/dev/cashier/*/")
    shot("journey-06-cashier")
    page.click("button:has-text('确认支付')")
    page.wait_for_url("**/billing/orders/*/result/")
    assert page.locator(".result-title").inner_text() == "报名成功"
    shot("journey-07-success")
    order = Order.objects.get(person=person)
    assert order.status == OrderStatus.PAID
    enrollment = Enrollment.objects.get(person=person, training_year__year=2023)

    # 学员中心 → 我的班级 → 立即学习 → 立即选课.
    page.locator("a:has-text('学员中心') >> visible=true").first.click()
    page.wait_for_url("**/training/classes/")
    card = page.locator(".class-card", has_text="2023年度")
    assert f"已完成 0/{required} 学时" in card.inner_text().replace("\n", "")
    shot("journey-08-my-classes")
    card.locator("a:text-is('立即学习')").click()
    page.wait_for_url(f"**/training/classes/{enrollment.pk}/**")
    page.click(".box-select a:text-is('立即选课')")
    page.wait_for_url(f"**/learning/classes/{enrollment.pk}/select/**")
    assert f"选课提示：您还需选课 {required} 学时" in page.locator(".select-tip").inner_text()

    # Fewest courses to watch: longest first (学时 sort), category by category, until each is full.
    for category in CATEGORY_LABELS:
        page.goto(f"{live_server.url}/learning/classes/{enrollment.pk}/select/?category={category}&sort=hours")
        for _ in range(20):
            button = page.locator("#course-results button:text-is('选择课程'):not([disabled])").first
            if button.count() == 0:
                break
            card_id = button.evaluate("b => b.closest('article').id")
            button.click()
            page.locator(f"#{card_id} button:text-is('取消选择')").wait_for()
    shot("journey-09-selected")
    page.click("#select-bar button:text-is('确认选中的课程')")
    page.locator("#confirmModal").wait_for(state="visible")
    page.click("#confirm-submit")
    page.wait_for_url(f"**/training/classes/{enrollment.pk}/?tab=learning")
    assert page.locator(".alert-success:has-text('选课已完成')").is_visible()
    selections = list(
        CourseSelection.objects.filter(enrollment=enrollment, status=SelectionStatus.CONFIRMED).select_related("course")
    )
    assert sum(s.hours for s in selections) >= required
    shot("journey-10-class-home")

    # Watch every course, pass its quiz (the first one: fail once, read the answers, 继续测验).
    for index, selection in enumerate(selections):
        course = selection.course
        page.goto(f"{live_server.url}/training/classes/{enrollment.pk}/?tab=learning")
        row = page.locator(".study-row", has_text=course.title).first
        row.locator("a:text-is('课程学习')").click()
        page.wait_for_url(f"**/courses/{course.pk}/study/**")
        watch_course(page)
        if index == 0:
            shot("journey-11-player")
        page.click("#quiz-link")
        page.wait_for_url("**/exams/attempts/**")
        attempt = QuizAttempt.objects.filter(enrollment=enrollment, course=course).latest("id")
        if index == 0:
            assert flat(page.locator(".quiz-facts").inner_text()) == f"考试人员：{person.name} 总分：100分 及格：60分"
            shot("journey-12-quiz")
            answer_quiz(page, attempt, correct=False)
            assert page.locator(".stamp").inner_text() == "未合格"
            assert page.locator(".q-answer").first.is_visible()  # 正确答案 / 我的答案 / 题析
            assert "正确答案" in page.locator(".q-answer").first.inner_text()
            shot("journey-13-failed")
            page.click("button:has-text('继续测验')")
            page.wait_for_url("**/exams/attempts/**")
            attempt = QuizAttempt.objects.filter(enrollment=enrollment, course=course).latest("id")
        answer_quiz(page, attempt, correct=True)
        assert page.locator(".stamp").inner_text() == "合格"
        if index == 0:
            shot("journey-14-passed")
            # 我要评价
            page.goto(f"{live_server.url}/training/classes/{enrollment.pk}/?tab=learning")
            page.locator(".study-row", has_text=course.title).first.locator("a:text-is('我要评价')").click()
            page.wait_for_url("**/evaluate/")
            page.click("label[for='content_score-5']")
            page.click("label[for='teaching_score-5']")
            page.fill("textarea[name='comment']", "课程内容实用，讲解清楚。")
            shot("journey-15-evaluate")
            page.click("button:text-is('提交评价')")
            page.wait_for_url(f"**/training/classes/{enrollment.pk}/?tab=learning")

    # The class qualifies; the certificate is issued.
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.QUALIFIED
    assert HourLedgerEntry.objects.filter(enrollment=enrollment).count() == len(selections)
    certificate = Certificate.objects.get(enrollment=enrollment)
    earned = sum(e.hours for e in HourLedgerEntry.objects.filter(enrollment=enrollment))
    assert earned >= required  # the ledger keeps the true hours; the class grants its required hours
    page.goto(f"{live_server.url}/training/classes/{enrollment.pk}/?tab=results")
    shot("journey-16-results")

    # 培训证明 → 打印培训证明.
    page.click(".center-menu >> text=培训证明")
    page.wait_for_url("**/certificates/")
    item = page.locator(".cert-item").first
    assert (
        flat(item.locator(".cert-line").inner_text())
        == f"2023年度培训证明 {person.get_grade_display()} 学时 {required}"
    )
    shot("journey-17-certificates")
    href = item.locator("a:has-text('打印培训证明')").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert person.name in text and f"{required} 学时" in text and certificate.number in text

    # Anyone verifies it on the public page.
    verifier = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN")
    public = verifier.new_page()
    public.goto(live_server.url + "/certificates/verify/")
    public.fill("#id_q", certificate.number)
    public.click("button:has-text('查验')")
    public.wait_for_url("**/certificates/verify/?q=*")
    assert "证书有效" in public.locator(".verify-result").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    public.screenshot(path=str(SCREENSHOTS / f"journey-18-verify-{page.viewport_name}.png"), full_page=True)
    verifier.close()

    # 发票下载 → 订单详情 → the invoice.
    page.click(".center-menu >> text=发票下载")
    page.wait_for_url("**/billing/orders/")
    row = page.locator("tr", has_text=order.order_no)
    assert row.get_by_text("已支付").is_visible()
    shot("journey-19-invoices")
    row.get_by_text("订单详情").click()
    page.wait_for_url(f"**/billing/orders/{order.order_no}/")
    with page.expect_download() as info:
        page.click("a:has-text('下载发票')")
    invoice_text = "".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert person.name in invoice_text and str(order.total_amount) in invoice_text

    # 信息中心 → 个人信息 → 修改密码.
    page.click(".center-menu >> text=信息中心")
    page.wait_for_url("**/info/center/**")
    assert page.get_by_text("操作手册").first.is_visible()
    shot("journey-20-info")
    page.click(".center-menu >> text=个人信息")
    page.wait_for_url("**/accounts/profile/")
    assert person.id_number not in page.content()
    shot("journey-21-profile")
    page.click("a:has-text('修改密码')")
    page.fill("#id_old_password", NEW_PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD + "9")
    page.fill("#id_new_password2", NEW_PASSWORD + "9")
    page.click("button:has-text('确认修改')")
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_text("密码修改成功").is_visible()
    shot("journey-22-password-changed")
