"""The monthly service report: counts, compliance, each breach explained, the trend."""

from __future__ import annotations


def test_the_monthly_report_explains_each_breach(world, login, january):
    page = login(world.manager).get(f"/reports/service/{world.acme.pk}/2025-01/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Ltd — January 2025" in html
    assert january.late_both.number in html and january.untouched.number in html
    assert january.met_both.number not in html.split("Breaches explained")[1]
    # why the due time was what it was, and when it was missed
    assert "Started: SLA Acme Round The Clock in 24x7, priority P3. Target 1 h of business time" in html
    assert (
        "Missed: Accepted by Sam Desk after 1 h 30 min of business time, 30 min over the 1 h target" in html
    )
    assert "Still running when this report was made" in html
    assert "@media" in html or 'media="print"' in html
    # the trend: six previous months and this one
    assert html.count("<td>Jul 2024</td>") == 1 and "<td>Jan 2025</td>" in html


def test_a_customer_manager_reads_their_own_monthly_report(world, login, january):
    client = login(world.acme_manager)
    assert client.get(f"/reports/service/{world.acme.pk}/2025-01/").status_code == 200
    assert client.get(f"/reports/service/{world.acme.pk}/2025-99/").status_code == 404
    chooser = client.get(f"/reports/service/?organisation={world.acme.pk}&month=2025-01")
    assert chooser.status_code == 302 and chooser["Location"].endswith(f"/{world.acme.pk}/2025-01/")


def test_a_breach_the_sweep_noticed_is_explained_with_its_due_time(world, login, january):
    from opsdesk.incidents.sweep import sweep

    sweep(now=january.report_at)
    html = login(world.manager).get(f"/reports/service/{world.acme.pk}/2025-01/").content.decode()
    story = html.split(january.untouched.number, 1)[1]
    assert "Target missed: due 15 Jan 2025 10:00." in story
    assert "Still running when this report was made" in story
