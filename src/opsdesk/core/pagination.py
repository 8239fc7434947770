"""Keyset (cursor) pagination shared by the pages and the API: one query with ``LIMIT n+1`` per page,
however deep, with no ``COUNT(*)``; the cursor is opaque and bound to its ordering."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, Expression, F, Model, Q, QuerySet, Value


class BadCursor(ValueError):
    """The cursor is not one we issued for this ordering."""


class RowComparison(Expression):
    """``(a, b, c) > (x, y, z)``: a row-value comparison, which PostgreSQL (and SQLite) answer with one
    seek into a matching composite index, however deep the page."""

    output_field = BooleanField()

    def __init__(self, lhs: Sequence[Any], rhs: Sequence[Any], operator: str):
        super().__init__()
        if operator not in ("<", ">"):
            raise ValueError(operator)
        self.lhs, self.rhs, self.operator = list(lhs), list(rhs), operator

    def get_source_expressions(self):
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs):
        self.lhs, self.rhs = list(exprs[: len(self.lhs)]), list(exprs[len(self.lhs) :])

    def as_sql(self, compiler, connection):
        params: list[Any] = []
        sides = []
        for side in (self.lhs, self.rhs):
            parts = []
            for expression in side:
                sql, part_params = compiler.compile(expression)
                parts.append(sql)
                params.extend(part_params)
            sides.append(f"({', '.join(parts)})")
        return f"{sides[0]} {self.operator} {sides[1]}", params


@dataclass
class _Column:
    path: str
    desc: bool
    nullable: bool
    model_field: Any

    def order_expression(self, reverse: bool):
        desc = self.desc != reverse
        if not self.nullable:
            return f"-{self.path}" if desc else self.path
        # NULL sorts as the smallest value on every database: first ascending, last descending.
        return F(self.path).desc(nulls_last=True) if desc else F(self.path).asc(nulls_first=True)

    def after(self, value: Any, reverse: bool) -> Q:
        """Rows strictly after ``value`` in this column's order (NULL being the smallest value)."""
        desc = self.desc != reverse
        if value is None:
            return Q(pk__in=[]) if desc else Q(**{f"{self.path}__isnull": False})
        if desc:
            q = Q(**{f"{self.path}__lt": value})
            return q | Q(**{f"{self.path}__isnull": True}) if self.nullable else q
        return Q(**{f"{self.path}__gt": value})

    def at_or_after(self, value: Any, reverse: bool) -> Q:
        """Rows equal to or after ``value``: a range the database can seek to in an index."""
        desc = self.desc != reverse
        if value is None:
            return Q(**{f"{self.path}__isnull": True}) if desc else Q()
        if desc:
            q = Q(**{f"{self.path}__lte": value})
            return q | Q(**{f"{self.path}__isnull": True}) if self.nullable else q
        return Q(**{f"{self.path}__gte": value})

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})

    def value_of(self, obj: Model | dict[str, Any]) -> Any:
        if isinstance(obj, dict):  # a row of ``.values()`` that includes this column
            return obj[self.path]
        target: Any = obj
        for part in self.path.split("__"):
            if target is None:
                return None
            target = (
                target.pk if part in ("pk", "id") and isinstance(target, Model) else getattr(target, part)
            )
        return target


def _columns(
    model: type[Model], order: Sequence[str], annotations: dict[str, Any] | None = None
) -> list[_Column]:
    columns = []
    for term in order:
        desc = term.startswith("-")
        path = term.lstrip("-")
        if annotations and path in annotations:
            # An annotation of the queryset (a rank computed with Case/When): it must never be NULL.
            columns.append(_Column(path, desc, False, annotations[path].output_field))
            continue
        nullable = False
        current: Any = model
        model_field = None
        for part in path.split("__"):
            try:
                model_field = current._meta.pk if part == "pk" else current._meta.get_field(part)
            except FieldDoesNotExist as exc:
                raise ValueError(f"cannot order by {term!r}") from exc
            nullable = nullable or bool(model_field.null)
            if model_field.is_relation:
                current = model_field.related_model
        columns.append(_Column(path, desc, nullable, model_field))
    if not columns or columns[-1].path not in ("id", "pk"):
        raise ValueError("keyset ordering must end with the primary key as a tie-breaker")
    return columns


def _uniform(columns: list[_Column]) -> bool:
    return all(not c.nullable for c in columns) and len({c.desc for c in columns}) == 1


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def encode_cursor(direction: str, order: Sequence[str], values: Sequence[Any]) -> str:
    payload = json.dumps({"d": direction, "o": list(order), "v": [_plain(v) for v in values]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: Sequence[str], columns: list[_Column]) -> tuple[str, list[Any]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        direction, cursor_order, values = data["d"], data["o"], data["v"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadCursor("This page link is not valid.") from exc
    if direction not in ("n", "p") or cursor_order != list(order) or len(values) != len(columns):
        raise BadCursor("This page link belongs to another sort order.")
    parsed = []
    for column, value in zip(columns, values, strict=True):
        if value is None:
            parsed.append(None)
            continue
        if not isinstance(value, str | int | float):
            raise BadCursor("This page link is not valid.")
        try:
            parsed.append(column.model_field.to_python(value))
        except (ValidationError, TypeError, ValueError) as exc:
            raise BadCursor("This page link is not valid.") from exc
    return direction, parsed


@dataclass
class KeysetPage:
    items: list = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None


def keyset_page(qs: QuerySet, order: Sequence[str], cursor: str | None, limit: int) -> KeysetPage:
    """One page of ``qs`` in ``order`` (which ends with the primary key) after/before ``cursor``.

    Costs one query with ``LIMIT limit+1`` and no ``COUNT(*)``, however deep the page, as long as an
    index serves the ordering. ``order`` may name a non-NULL annotation of ``qs`` (a rank). Raises
    :class:`BadCursor` for a cursor we did not issue for ``order``.
    """
    columns = _columns(qs.model, order, qs.query.annotations)
    direction, anchor = ("n", None)
    if cursor:
        direction, anchor = decode_cursor(cursor, order, columns)
    reverse = direction == "p"
    if anchor is not None and _uniform(columns):
        desc = columns[0].desc != reverse
        qs = qs.filter(
            RowComparison(
                [F(c.path) for c in columns],
                [Value(v, output_field=c.model_field) for c, v in zip(columns, anchor, strict=True)],
                "<" if desc else ">",
            )
        )
    elif anchor is not None:
        # NULLs or mixed directions: spell the comparison out column by column.
        condition = Q(pk__in=[])
        for i, column in enumerate(columns):
            step = column.after(anchor[i], reverse)
            for prior, value in zip(columns[:i], anchor[:i], strict=True):
                step &= prior.equal(value)
            condition |= step
        # The same rows, plus a plain range on the leading column that an index can seek to.
        qs = qs.filter(columns[0].at_or_after(anchor[0], reverse) & condition)
    rows = list(qs.order_by(*[c.order_expression(reverse) for c in columns])[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if reverse:
        rows.reverse()
    has_next = (more and not reverse) or (reverse and anchor is not None)
    has_prev = (more and reverse) or (not reverse and anchor is not None)
    page = KeysetPage(items=rows)
    if rows and has_next:
        page.next_cursor = encode_cursor("n", order, [c.value_of(rows[-1]) for c in columns])
    if rows and has_prev:
        page.prev_cursor = encode_cursor("p", order, [c.value_of(rows[0]) for c in columns])
    return page


def keyset_chunks(qs: QuerySet, order: Sequence[str], size: int) -> Iterator[list]:
    """All of ``qs`` in ``order``, ``size`` rows at a time: one keyset query per chunk, so a long read
    (an export of a million rows) holds one chunk in memory and never pages with ``OFFSET``."""
    cursor = None
    while True:
        page = keyset_page(qs, order, cursor, size)
        if page.items:
            yield page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor
