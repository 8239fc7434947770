"""Formatting for the report pages: business times and percentages."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """``5400`` -> ``"1 h 30 min"``; ``345600`` -> ``"96 h"``; ``None`` -> ``"—"``. Rounded to the minute."""
    if seconds is None:
        return "—"
    minutes = int(round(float(seconds) / 60))
    # Hours, never days: a business day depends on the calendar.
    hours, mins = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1f} %"
