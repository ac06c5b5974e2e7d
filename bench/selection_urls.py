"""URLconf for the selection_page benchmark: the project's URLs plus the baseline view."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def baseline(request):
    """A plain view rendering a static template in the same learner-centre layout (no data)."""
    return render(
        request,
        "learner/empty_state.html",
        {"page_title": "在线选课", "empty_text": "静态页面", "center_section": "classes"},
    )


urlpatterns = [path("bench-baseline/", baseline), *project_urlpatterns]
