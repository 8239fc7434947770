from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class NamedRef(Schema):
    id: int
    name: str


class ClockFiguresOut(Schema):
    met: int = Field(..., description="Clocks stopped within their target")
    breached: int = Field(..., description="Stopped late, running past due, or paused past the target")
    open: int = Field(..., description="Running or paused, not yet past the target (not in met_percent)")
    met_percent: float | None = Field(None, description="met / (met + breached) x 100, one decimal")
    mean_seconds: int | None = Field(None, description="Mean business time of the stopped clocks")
    p90_seconds: int | None = Field(None, description="Nearest-rank 90th percentile, stopped clocks")


class SlaRowOut(Schema):
    month: str | None = Field(None, description="YYYY-MM when grouped by month")
    organisation: NamedRef | None = None
    service: NamedRef | None = Field(None, description="Null: not grouped by service, or no service")
    priority: int | None = None
    incidents: int = Field(..., description="Incidents opened in the month(s)")
    breaches: int = Field(..., description="Incidents with at least one breached clock")
    breaches_url: str = Field(..., description="The API list of those incidents")
    response: ClockFiguresOut
    resolution: ClockFiguresOut


class SlaReportOut(Schema):
    from_month: str = Field(..., alias="from")
    to_month: str = Field(..., alias="to")
    by: list[str]
    time_zone: str = Field(..., description="Months are calendar months in this time zone")
    as_of: dt.datetime = Field(..., description="Outcomes are counted as of this instant")
    rows: list[SlaRowOut]
    total: SlaRowOut


class BreachOut(Schema):
    number: str
    title: str
    url: str
    organisation: NamedRef
    service: NamedRef | None = None
    priority: int
    opened_at: dt.datetime
    breached: list[str] = Field(..., description="The clocks breached: response, resolution")
