"""Typed CI attributes: the definitions a class declares and the values a CI carries, validated here only.

A class's ``attributes`` column holds a list of definitions::

    {"name": "ram_gb", "label": "RAM (GB)", "type": "number", "required": false}
    {"name": "tier", "label": "Tier", "type": "choice", "choices": ["gold", "silver"], "required": true}

Subclasses inherit their ancestors' definitions (a Server has every Hardware attribute) and may not
redefine them. A CI's ``attributes`` column holds ``{name: value}`` in plain JSON: numbers, ISO dates,
booleans, strings, IP addresses in canonical form and CI ids. Errors name the attribute
(``attributes.ram_gb``) so forms and the API can point at it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError

from opsdesk.cmdb.choices import AttributeType

NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
DEFINITION_KEYS = {"name", "label", "type", "required", "choices", "help"}
TEXT_MAX = 1000
TRUE = {"true", "yes", "on", "1"}
FALSE = {"false", "no", "off", "0"}


def error_key(name: str) -> str:
    return f"attributes.{name}"


def clean_definitions(raw: Any, inherited: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Check a class's own definitions; ``inherited`` are the names its ancestors already define."""
    if not isinstance(raw, list):
        raise ValidationError({"attributes": ["Give the attributes as a list of definitions."]})
    taken = set(inherited)
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for position, item in enumerate(raw, start=1):
        where = f"Attribute {position}"
        if not isinstance(item, dict):
            problems.append(f"{where}: give an object with name, label and type.")
            continue
        unknown = set(item) - DEFINITION_KEYS
        name = item.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            problems.append(f"{where}: the name must be lower case letters, digits and _ (e.g. ram_gb).")
            continue
        where = f"Attribute '{name}'"
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
        if name in taken:
            problems.append(f"{where} is defined twice (here or in a parent class).")
        taken.add(name)
        kind = item.get("type")
        if kind not in AttributeType.values:
            problems.append(f"{where}: the type must be one of {', '.join(AttributeType.values)}.")
            continue
        label = item.get("label") or name.replace("_", " ").capitalize()
        if not isinstance(label, str) or len(label) > 100:
            problems.append(f"{where}: the label must be text of at most 100 characters.")
            continue
        required = item.get("required", False)
        if not isinstance(required, bool):
            problems.append(f"{where}: 'required' must be true or false.")
            continue
        definition: dict[str, Any] = {"name": name, "label": label, "type": kind, "required": required}
        choices = item.get("choices")
        if kind == AttributeType.CHOICE:
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c.strip() for c in choices)
                or len(set(choices)) != len(choices)
            ):
                problems.append(f"{where}: a choice needs a list of distinct, non-empty choices.")
                continue
            definition["choices"] = list(choices)
        elif choices is not None:
            problems.append(f"{where}: only a choice attribute has choices.")
        if item.get("help"):
            definition["help"] = str(item["help"])[:300]
        cleaned.append(definition)
    if problems:
        raise ValidationError({"attributes": problems})
    return cleaned


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("a number")
    if isinstance(value, str):
        value = value.strip()
        value = float(value) if re.search(r"[.eE]", value) else int(value)
    if not isinstance(value, int | float) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError("a number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise ValueError("a date (YYYY-MM-DD)")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()).isoformat()
    raise ValueError("a date (YYYY-MM-DD)")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValueError("true or false")


def _ci_id(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a CI id")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 1:
        raise ValueError("a CI id")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("text")
    if len(value) > TEXT_MAX:
        raise ValueError(f"text of at most {TEXT_MAX} characters")
    return value.strip()


def _ip(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("an IP address")
    return str(ipaddress.ip_address(value.strip()))


PARSERS: dict[str, Callable[[Any], Any]] = {
    AttributeType.TEXT: _text,
    AttributeType.NUMBER: _number,
    AttributeType.DATE: _date,
    AttributeType.BOOLEAN: _boolean,
    AttributeType.IP_ADDRESS: _ip,
    AttributeType.CI: _ci_id,
}
EXPECTED = {
    AttributeType.TEXT: "text",
    AttributeType.NUMBER: "a number",
    AttributeType.DATE: "a date (YYYY-MM-DD)",
    AttributeType.BOOLEAN: "true or false",
    AttributeType.IP_ADDRESS: "an IPv4 or IPv6 address",
    AttributeType.CI: "the id of a configuration item",
}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_values(
    definitions: list[dict[str, Any]],
    values: Any,
    *,
    class_name: str = "this class",
    ci_exists: Callable[[int], bool] | None = None,
) -> dict[str, Any]:
    """``values`` checked against ``definitions`` (a class's own and inherited ones): known names only,
    required ones present, each value of its type. Returns the canonical values (empty ones dropped)."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationError({"attributes": ["Give the attributes as an object of name: value."]})
    errors: dict[str, list[str]] = {}
    by_name = {d["name"]: d for d in definitions}
    for name in values:
        if name not in by_name:
            errors[error_key(str(name))] = [f"{class_name} has no attribute '{name}'."]
    cleaned: dict[str, Any] = {}
    for definition in definitions:
        name, kind = definition["name"], definition["type"]
        value = values.get(name)
        if _empty(value):
            if definition.get("required"):
                errors[error_key(name)] = [f"{definition['label']} is required."]
            continue
        if kind == AttributeType.CHOICE:
            if value not in definition["choices"]:
                allowed = ", ".join(definition["choices"])
                errors[error_key(name)] = [f"{definition['label']} must be one of: {allowed}."]
                continue
            cleaned[name] = value
            continue
        try:
            parsed = PARSERS[kind](value)
        except (ValueError, TypeError, OverflowError):
            errors[error_key(name)] = [f"{definition['label']} must be {EXPECTED[kind]}."]
            continue
        if kind == AttributeType.CI and ci_exists is not None and not ci_exists(parsed):
            errors[error_key(name)] = [f"{definition['label']}: there is no configuration item {parsed}."]
            continue
        cleaned[name] = parsed
    if errors:
        raise ValidationError(errors)
    return cleaned
