"""Catalog events (see ``cecloud.core.events``)."""

from cecloud.core.events import Event

chapter_hls_requested = Event(
    "catalog.chapter_hls_requested",
    fields=("chapter_id", "video_name"),
    doc="A chapter video was uploaded and HLS is enabled (published after commit): transcode it (task chapter_make_hls).",
)
