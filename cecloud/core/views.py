"""Shared view helpers."""

from __future__ import annotations

from django.shortcuts import render


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
