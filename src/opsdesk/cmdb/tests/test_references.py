"""A "reference to a CI" attribute (and a location) points only at the CI's own organisation or the
provider's CIs, and an id nobody may use reads exactly like an id that does not exist."""

import pytest

from opsdesk.cmdb import services
from opsdesk.cmdb.tests.conftest import cls, make_ci
from opsdesk.core.context import acting_as

URL = "/api/v1/cis"
UNKNOWN = 999_999


@pytest.fixture
def node_class(world, estate):
    with acting_as(world.manager, "web"):
        return services.create_class(
            by=world.manager,
            name="Cluster node",
            key="cluster-node",
            parent=cls("server"),
            attributes=[{"name": "twin", "label": "Twin", "type": "ci"}],
        )


def post_node(client, world, node_class, twin):
    body = {"name": "node-a", "ci_class": node_class.pk, "organisation": world.acme.pk}
    return client.post(URL, {**body, "attributes": {"twin": twin}})


def test_a_limited_agent_cannot_point_at_another_customers_ci_nor_tell_it_exists(
    world, estate, node_class, api
):
    agent = api(world.acme_only_agent)
    other = post_node(agent, world, node_class, estate.globex_db.pk)
    unknown = post_node(agent, world, node_class, UNKNOWN)
    assert other.status_code == unknown.status_code == 422
    said_other = other.json()["errors"]["attributes.twin"][0]
    said_unknown = unknown.json()["errors"]["attributes.twin"][0]
    assert said_other.replace(str(estate.globex_db.pk), "N") == said_unknown.replace(str(UNKNOWN), "N")
    assert said_other == f"Twin: there is no configuration item {estate.globex_db.pk}."


def test_even_an_unlimited_agent_keeps_references_within_the_customer_and_the_provider(
    world, estate, node_class, api
):
    agent = api(world.agent)
    assert post_node(agent, world, node_class, estate.globex_db.pk).status_code == 422
    own = post_node(agent, world, node_class, estate.mx1.pk)
    assert own.status_code == 201 and own.json()["attributes"] == {"twin": estate.mx1.pk}
    shared = agent.patch(f"{URL}/{own.json()['id']}", {"attributes": {"twin": estate.r1.pk}})
    assert shared.status_code == 200 and shared.json()["attributes"] == {"twin": estate.r1.pk}


def test_a_location_of_another_customer_is_refused_like_a_missing_one(world, estate):
    with acting_as(world.agent, "web"):
        globex_site = make_ci(world.agent, "Globex HQ", "location", world.globex)
        with pytest.raises(Exception) as exc:
            services.update_ci(estate.mx1, {"location": globex_site}, by=world.agent)
    assert exc.value.message_dict == {"location": ["The location must be a CI of the Location class."]}


def test_an_import_cannot_store_a_reference_to_another_customers_ci(world, estate, node_class):
    data = f"name,twin\nnode-b,{estate.globex_db.pk}\nnode-c,{UNKNOWN}\nnode-d,{estate.r1.pk}\n"
    with acting_as(world.acme_only_agent, "web"):
        report = services.import_cis(
            data, ci_class=node_class, organisation=world.acme, by=world.acme_only_agent
        )
    reasons = {r.line: (r.column, r.reason) for r in report.rejects}
    assert reasons == {
        2: ("twin", f"Twin: there is no configuration item {estate.globex_db.pk}."),
        3: ("twin", f"Twin: there is no configuration item {UNKNOWN}."),
    }
    assert report.applied is False


def test_the_ci_page_names_the_referenced_ci_as_a_link(world, estate, node_class, login):
    with acting_as(world.agent, "web"):
        node = make_ci(world.agent, "node-e", "cluster-node", world.acme, attributes={"twin": estate.mx1.pk})
    html = login(world.acme_user).get(f"/cmdb/{node.pk}/").content.decode()
    assert f'<a href="/cmdb/{estate.mx1.pk}/">MX1</a>' in html
