from django.urls import path

from . import reviews, views

app_name = "oversight"

urlpatterns = [
    path("", views.index, name="index"),
    # Unit HR: its workers, export, study reminders
    path("unit/", views.unit_workers, name="unit_workers"),
    path("unit/export.xlsx", views.unit_export, name="unit_export"),
    path("unit/reminders/", views.unit_reminders, name="unit_reminders"),
    # One worker (unit HR of the unit, or a bureau of the region)
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    # Bureau: dashboard, units, drill-down, exports, schedules
    path("bureau/", views.bureau_dashboard, name="bureau_dashboard"),
    path("bureau/export.xlsx", views.bureau_export, name="bureau_export"),
    path("bureau/units/", views.bureau_units, name="bureau_units"),
    path("bureau/units/<int:pk>/", views.bureau_unit, name="bureau_unit"),
    path("bureau/units/<int:pk>/export.xlsx", views.bureau_unit_export, name="bureau_unit_export"),
    path("bureau/schedules/", views.bureau_schedules, name="bureau_schedules"),
    # Unit HR review of applications and correction requests (registry requests)
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/application/<int:pk>/", reviews.application_review, name="application_review"),
    path("reviews/correction/<int:pk>/", reviews.correction_review, name="correction_review"),
]
