from django.conf import settings


def platform(request):
    return {
        "SITE_NAME": settings.CECLOUD_SITE_NAME,
        "HOTLINE": settings.CECLOUD_HOTLINE,
    }
