"""The same figures through the page, the CSV and the API; malformed parameters name their field."""

from __future__ import annotations

import csv
import io

from opsdesk.reports.csv_export import HEADER


def test_the_api_gives_the_figures_with_links_to_the_breaches(world, api, january):
    client = api(world.manager)
    response = client.get(
        f"/api/v1/reports/sla?from=2025-01&to=2025-01&organisation={world.acme.pk}&by=month,priority"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["from"], data["to"], data["by"]) == ("2025-01", "2025-01", ["month", "priority"])
    assert data["time_zone"] == "Europe/London"
    (row,) = data["rows"]
    assert (row["month"], row["priority"], row["incidents"], row["breaches"]) == ("2025-01", 3, 4, 2)
    assert row["response"] == {
        "met": 2,
        "breached": 2,
        "open": 0,
        "met_percent": 50.0,
        "mean_seconds": 2600,
        "p90_seconds": 5400,
    }
    assert row["resolution"]["p90_seconds"] == 18000 and row["resolution"]["open"] == 2
    breaches = client.get(row["breaches_url"].replace("http://testserver", "")).json()
    numbers = {b["number"] for b in breaches["results"]}
    assert numbers == {january.late_both.number, january.untouched.number}
    late = next(b for b in breaches["results"] if b["number"] == january.late_both.number)
    assert late["breached"] == ["response", "resolution"]
    assert late["url"].endswith(f"/api/v1/incidents/{january.late_both.number}")


def test_the_csv_has_one_line_per_row_and_a_total(world, login, january):
    response = login(world.manager).get("/reports/sla.csv?from=2025-01&to=2025-01&by=organisation")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == HEADER
    assert [line[2] for line in lines[1:]] == ["Acme Ltd", "Globex plc", ""]
    assert lines[-1][0] == "total"
    acme = dict(zip(HEADER, lines[1], strict=True))
    assert acme["incidents"] == "4" and acme["breaches"] == "2"
    assert acme["response_met_percent"] == "50.0" and acme["response_p90_seconds"] == "5400"
    assert acme["resolution_mean_seconds"] == "12600" and acme["resolution_open"] == "2"
    assert all(len(line) == len(HEADER) for line in lines)


def test_the_page_shows_the_figures_and_links_each_breach_count(world, login, january):
    client = login(world.manager)
    page = client.get(f"/reports/sla/?from=2025-01&to=2025-01&organisation={world.acme.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "50.0 %" in html and "1 h 30 min" in html and "43 min" in html  # p90 and mean response
    assert "/reports/sla.csv?" in html and 'data-report-chart="sla-chart-data"' in html
    assert "opened</em> in that calendar month" in html
    breaches = client.get(f"/reports/sla/breaches/?from=2025-01&to=2025-01&organisation={world.acme.pk}")
    listing = breaches.content.decode()
    assert january.late_both.get_absolute_url() in listing
    assert january.untouched.get_absolute_url() in listing
    assert january.met_both.get_absolute_url() not in listing


def test_malformed_parameters_name_the_field(world, login, api):
    assert api(world.manager).get("/api/v1/reports/sla?from=January").json()["errors"] == {
        "from": ["Use the form YYYY-MM, e.g. 2025-01."]
    }
    response = api(world.manager).get("/api/v1/reports/sla?from=2025-05&to=2025-01&by=colour")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"to", "by"}
    page = login(world.manager).get("/reports/sla/?from=2025-13")
    assert page.status_code == 422 and "Use the form YYYY-MM" in page.content.decode()
