from django.contrib import admin  # noqa: F401

# --- Applications and correction requests (review by operators) --------------------------------
# Kept in their own module so this file stays with the registry import admin; importing it
# registers ApplicationReviewAdmin and CorrectionReviewAdmin.
from . import review_admin  # noqa: E402,F401
