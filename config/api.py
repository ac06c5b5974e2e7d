"""Versioned JSON API for mobile apps (requirements S12): /api/v1/, OpenAPI at /api/v1/openapi.json."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.security import SessionAuth

from cecloud.core.errors import ServiceError


class LocalSwagger(Swagger):
    """/api/v1/docs with Swagger UI from static/vendor/swagger-ui (npm swagger-ui-dist, scripts/vendor_assets.py)
    instead of ninja's CDN page, and no inline script (the Content-Security-Policy allows none)."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)


api = NinjaAPI(
    title="江苏工勤人员继续教育云平台 API",
    version="1.0",
    urls_namespace="api",
    auth=SessionAuth(),
    docs=LocalSwagger(),
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    status = {"forbidden": 403, "not_found": 404, "conflict": 409}.get(exc.code, 400)
    return api.create_response(request, {"detail": exc.message, "code": exc.code}, status=status)


@api.get("/health", auth=None, tags=["平台"])
def health(request):
    return {"status": "ok"}


from cecloud.learning.api import router as learning_router  # noqa: E402 - routers attach after the API exists

api.add_router("/learning/", learning_router)
