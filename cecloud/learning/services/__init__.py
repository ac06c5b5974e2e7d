"""Learning writes. Selection (选课) lives in ``selection``; playback and progress get their own modules."""

from .selection import selection_add, selection_confirm, selection_remove

__all__ = ["selection_add", "selection_confirm", "selection_remove"]
