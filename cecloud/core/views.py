"""Shared view helpers."""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.static import serve

PUBLIC_MEDIA_PREFIXES = ("courses/covers/",)


def public_media(request, path: str):
    """Serve only public media (course covers) in the embedded default; never private files."""
    normalized = posixpath.normpath(path).lstrip("/")
    if ".." in path.split("/") or not normalized.startswith(PUBLIC_MEDIA_PREFIXES):
        raise Http404
    return serve(request, normalized, document_root=settings.MEDIA_ROOT)


def empty_state(
    request,
    *,
    title: str,
    text: str,
    section: str = "",
    icon: str = "bi-inbox",
    action_url: str = "",
    action_label: str = "",
):
    return render(
        request,
        "learner/empty_state.html",
        {
            "page_title": title,
            "empty_text": text,
            "center_section": section,
            "empty_icon": icon,
            "empty_action_url": action_url,
            "empty_action_label": action_label,
        },
    )
