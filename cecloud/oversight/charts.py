"""ECharts options built on the server from the same objects the tables beside the charts show, so a
chart and its table can never disagree. Options are plain JSON (no JavaScript functions);
``static/oversight/charts.js`` initialises each chart and resizes it with the window."""

from __future__ import annotations

from collections.abc import Sequence

from .selectors.completion import Completion, DayPoint
from .selectors.workers import WORKER_STATUSES

BLUE = "#1559a8"
ORANGE = "#e8772e"
GREEN = "#2e9d5b"
GREY = "#b5c2d0"
STATUS_COLOURS = {"none": GREY, "unpaid": "#f0ad4e", "learning": BLUE, "qualified": GREEN}
FONT = {"fontFamily": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"}


def _stacked_bar(name: str, data: list, color: str) -> dict:
    """One series of a stacked bar chart."""
    return {"name": name, "type": "bar", "stack": "n", "data": data, "itemStyle": {"color": color}, "barMaxWidth": 40}


def _base() -> dict:
    return {"textStyle": FONT, "animation": False}


def rate_bars(rows: Sequence[Completion], *, name: str = "完成率") -> dict:
    """Horizontal bars (readable on a phone: labels on the left, values at the bar's end)."""
    rows = list(rows)[::-1]  # ECharts draws the first category at the bottom
    option = _base()
    option.update(
        {
            "grid": {"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": {
                "type": "value",
                "max": 100,
                "splitNumber": 4,
                "axisLabel": {"formatter": "{value}%", "hideOverlap": True},
            },
            "yAxis": {
                "type": "category",
                "data": [r.label for r in rows],
                "axisLabel": {"width": 110, "overflow": "truncate"},
            },
            "series": [
                {
                    "name": name,
                    "type": "bar",
                    "data": [r.rate for r in rows],
                    "itemStyle": {"color": BLUE, "borderRadius": [0, 3, 3, 0]},
                    "label": {"show": True, "position": "right", "formatter": "{c}%"},
                    "barMaxWidth": 22,
                }
            ],
        }
    )
    return option


def grade_bars(rows: Sequence[Completion]) -> dict:
    """Stacked columns per grade: qualified / learning / not registered, with the rate in the tooltip."""
    option = _base()
    labels = [r.label for r in rows]
    option.update(
        {
            "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
            "legend": {"top": 0, "itemWidth": 14, "itemHeight": 10},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                _stacked_bar("已合格", [r.qualified for r in rows], GREEN),
                _stacked_bar("学习中", [r.learning for r in rows], BLUE),
                _stacked_bar("未报名", [r.not_registered for r in rows], GREY),
            ],
        }
    )
    return option


def daily_lines(days: Sequence[DayPoint]) -> dict:
    option = _base()
    option.update(
        {
            "grid": {"left": 8, "right": 12, "top": 36, "bottom": 40, "containLabel": True},
            "legend": {"top": 0, "itemWidth": 14, "itemHeight": 10},
            "tooltip": {"trigger": "axis"},
            "dataZoom": [{"type": "inside"}, {"type": "slider", "height": 16, "bottom": 6}],
            "xAxis": {
                "type": "category",
                "boundaryGap": False,
                "data": [f"{d.day.month}-{d.day.day}" for d in days],
                "axisLabel": {"hideOverlap": True},
            },
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": "报名人数",
                    "type": "line",
                    "data": [d.registered for d in days],
                    "itemStyle": {"color": ORANGE},
                    "showSymbol": False,
                },
                {
                    "name": "缴费人数",
                    "type": "line",
                    "data": [d.paid for d in days],
                    "itemStyle": {"color": BLUE},
                    "showSymbol": False,
                },
                {
                    "name": "合格人数",
                    "type": "line",
                    "data": [d.qualified for d in days],
                    "itemStyle": {"color": GREEN},
                    "showSymbol": False,
                },
            ],
        }
    )
    return option


def status_donut(counts: dict[str, int]) -> dict:
    """Counts inside the ring (labels outside get clipped on a phone); names in the legend and the table."""
    option = _base()
    option.update(
        {
            "tooltip": {"trigger": "item", "formatter": "{b}：{c} 人（{d}%）"},
            "legend": {"bottom": 0, "itemWidth": 14, "itemHeight": 10},
            "series": [
                {
                    "name": "状态",
                    "type": "pie",
                    "radius": ["40%", "72%"],
                    "center": ["50%", "45%"],
                    "label": {
                        "show": True,
                        "position": "inside",
                        "formatter": "{c}",
                        "color": "#fff",
                        "fontWeight": "bold",
                    },
                    "labelLine": {"show": False},
                    "data": [
                        {"name": label, "value": counts.get(key, 0), "itemStyle": {"color": STATUS_COLOURS[key]}}
                        for key, label in WORKER_STATUSES.items()
                        if counts.get(key, 0)
                    ],
                }
            ],
        }
    )
    return option


def bar_height(n: int, *, per_bar: int = 30, minimum: int = 220) -> int:
    """Pixels for a horizontal bar chart of n categories."""
    return max(minimum, per_bar * n + 40)
