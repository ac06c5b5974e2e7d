"""在线选课 through the real page: select until the structure is met (both grade groups), confirm,
and screenshot the selection page and the class home at desktop and phone width."""

from __future__ import annotations

import pytest

from cecloud.accounts.factories import PASSWORD, LearnerFactory
from cecloud.catalog import demo as catalog_demo
from cecloud.learning.models import CourseSelection, SelectionStatus
from cecloud.learning.selectors import selection_summary
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for, training_year

from .conftest import SCREENSHOTS, fill_login

pytestmark = pytest.mark.django_db(transaction=True)

CATEGORIES = ["思政", "通识", "岗位提升"]


def _login(page, live_server, user):
    page.goto(live_server.url + "/")
    fill_login(page, user.username, PASSWORD)
    page.wait_for_url("**/accounts/welcome/")


def _select_category_until_full(page, label: str) -> int:
    page.click(f".select-filters .filter-chip:text-is('{label}')")
    page.wait_for_load_state("domcontentloaded")
    added = 0
    while True:
        button = page.locator("#course-results button:text-is('选择课程'):not([disabled])").first
        if button.count() == 0:
            break
        card_id = button.evaluate("b => b.closest('article').id")
        button.click()
        page.locator(f"#{card_id} button:text-is('取消选择')").wait_for()
        added += 1
        assert added < 20
    return added


@pytest.mark.parametrize(
    ("grade", "total", "name"),
    [(Grade.SENIOR_TECHNICIAN, 40, "technician"), (Grade.SENIOR, 24, "skilled")],
    ids=["technician", "skilled"],
)
def test_select_until_the_structure_is_met_then_confirm(live_server, page, shot, grade, total, name):
    for year in range(2018, 2024):
        training_year(year)
    catalog_demo.load()
    person = PersonFactory(grade=grade, name="黄诗雨")
    user = LearnerFactory(person=person)
    enrollment = enrollment_for(person, 2023)
    _login(page, live_server, user)

    page.goto(live_server.url + "/training/classes/")
    card = page.locator(".class-card").first
    assert "2023年度" in card.inner_text()
    assert f"已完成 0/{total} 学时" in card.inner_text().replace("\n", "")
    if name == "technician":
        shot("my-classes")
    card.locator("a:text-is('立即学习')").click()
    page.wait_for_url(f"**/training/classes/{enrollment.pk}/")
    assert page.locator(f".box-select:has-text('还需选课') b:text-is('{total}')").is_visible()
    assert page.locator(f"text=已完成 0 学时/{total} 学时").count() == 1
    assert page.locator(f"text=完成考核要求即可获得{total}学时").is_visible()
    assert page.locator(".class-tab:has-text('选课') .unmet-mark").is_visible()
    shot(f"class-home-empty-{name}")

    page.click(".box-select a:text-is('立即选课')")
    page.wait_for_url(f"**/learning/classes/{enrollment.pk}/select/**")
    tip = page.locator(".select-tip .alert").inner_text()
    assert f"选课提示：您还需选课 {total} 学时，课程选择成功后无法修改，请根据需要合理选择。" in tip
    assert page.locator("input[placeholder='请输入课程名称进行搜索']").is_visible()

    # 思政 and 通识 first, confirm (a first round), then 岗位提升 and confirm again.
    for label in CATEGORIES[:2]:
        assert _select_category_until_full(page, label) > 0
    page.click("button:has-text('查看已选择课程')")
    modal = page.locator("#cartModal")
    modal.wait_for(state="visible")
    page.wait_for_timeout(400)  # the fade-in
    assert modal.locator("th:has-text('思政 (共')").is_visible()
    assert "当前已选" in modal.locator(".cart-line").inner_text()
    assert "(其中: 思政 0 学时, 通识 0 学时, 岗位提升" in modal.locator(".cart-line").inner_text()
    # A modal is best seen in the viewport (a full-page capture stretches the backdrop).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"select-cart-{name}-{page.viewport_name}.png"))
    modal.locator("button.btn-close").click()
    modal.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    shot(f"select-page-{name}")

    page.click("#select-bar button:text-is('确认选中的课程')")
    page.locator("#confirmModal").wait_for(state="visible")
    page.click("#confirm-submit")
    page.wait_for_url(f"**/learning/classes/{enrollment.pk}/select/**")
    assert page.locator(".alert-success:has-text('选课成功')").is_visible()
    assert page.locator(".select-tip .need-hours").inner_text() != str(total)

    assert _select_category_until_full(page, CATEGORIES[2]) > 0
    assert page.locator("#course-results button:text-is('选择课程'):not([disabled])").count() == 0
    page.click("#select-bar button:text-is('确认选中的课程')")
    page.locator("#confirmModal").wait_for(state="visible")
    page.click("#confirm-submit")
    page.wait_for_url(f"**/training/classes/{enrollment.pk}/?tab=learning")
    assert page.locator(".alert-success:has-text('选课已完成')").is_visible()
    assert page.locator(".box-select .box-value b").inner_text() == "0"
    assert page.locator(".class-tab:has-text('选课') .unmet-mark").count() == 0
    rows = page.locator(".study-row")
    assert rows.count() >= 6
    first = rows.first.inner_text()
    assert "课程考核结果" in first and "未合格" in first and "课程进度0%" in first.replace(" ", "")
    shot(f"class-home-selected-{name}")

    summary = selection_summary(enrollment)
    assert summary.structure_met
    assert CourseSelection.objects.filter(enrollment=enrollment, status=SelectionStatus.CANDIDATE).count() == 0
    assert {s.confirm_round for s in summary.confirmed} == {1, 2}

    page.goto(live_server.url + f"/learning/classes/{enrollment.pk}/select/?category=ideology")
    assert page.locator("#course-results button:text-is('已选择')").count() >= 2
    shot(f"select-page-done-{name}")


def test_preview_plays_the_first_chapter_without_selecting(live_server, page):
    training_year(2023)
    catalog_demo.load()
    person = PersonFactory()
    user = LearnerFactory(person=person)
    enrollment = enrollment_for(person, 2023)
    _login(page, live_server, user)
    page.goto(live_server.url + f"/learning/classes/{enrollment.pk}/select/")
    page.locator("#course-results button:has-text('试听')").first.click()
    video = page.locator("#previewModal video.preview-video")
    video.wait_for(state="attached")
    page.wait_for_function(
        "() => { const v = document.querySelector('#previewModal video'); return v && v.readyState >= 1 && v.duration > 0; }"
    )
    assert page.evaluate("document.querySelector('#previewModal video').duration") > 2
    assert not CourseSelection.objects.filter(enrollment=enrollment).exists()
