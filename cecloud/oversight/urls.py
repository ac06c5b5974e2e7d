from django.urls import path

from . import reviews, views

app_name = "oversight"

urlpatterns = [
    path("", views.index, name="index"),
    # Unit HR review of applications and correction requests (registry requests)
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/application/<int:pk>/", reviews.application_review, name="application_review"),
    path("reviews/correction/<int:pk>/", reviews.correction_review, name="correction_review"),
]
