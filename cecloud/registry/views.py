from django.http import HttpResponse

from .template import build_template


def template_download(request):
    """信息模板 (xlsx) for people not in the registry and for operators' imports."""
    response = HttpResponse(
        build_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%BF%A1%E6%81%AF%E6%A8%A1%E6%9D%BF.xlsx"
    return response


# Placeholders replaced by the applications / corrections work (issue 2, item 8).
def apply(request):
    from cecloud.core.views import empty_state

    return empty_state(request, title="申请入库", text="在线申请即将开放，请先下载信息模板")


def correction(request):
    from cecloud.core.views import empty_state

    return empty_state(request, title="修改信息", text="在线修改申请即将开放", section="profile")


def review_list(request):
    from cecloud.core.views import empty_state

    return empty_state(request, title="审核", text="暂无待审核申请")
