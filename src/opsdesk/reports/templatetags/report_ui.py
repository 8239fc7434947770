"""Formatting for the report pages: business times and percentages."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """``5400`` -> ``"1 h 30 min"``; ``None`` -> ``"—"``. Rounded to the minute."""
    if seconds is None:
        return "—"
    minutes = int(round(float(seconds) / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1f} %"
