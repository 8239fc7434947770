"""The rest of the CRUD: deleting a CI or a class (409 while anything uses it), one relationship
(GET/PATCH/DELETE with ETags), relationship types (GET/PATCH); who may do which."""

from opsdesk.cmdb.models import CI, CIClass, Relationship, RelationshipType
from opsdesk.cmdb.tests.conftest import cls, make_ci
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry

URL = "/api/v1/cis"


def test_a_ci_entered_by_mistake_is_deleted_and_the_audit_keeps_it(world, estate, api):
    with acting_as(world.agent, "web"):
        typo = make_ci(world.agent, "MX11", "server", world.acme)
    agent = api(world.agent)
    etag = agent.get(f"{URL}/{typo.pk}")["ETag"]
    assert api(world.acme_manager).delete(f"{URL}/{typo.pk}").status_code == 403
    assert api(world.acme_only_agent).delete(f"{URL}/{estate.globex_db.pk}").status_code == 404
    agent.patch(f"{URL}/{typo.pk}", {"notes": "spare"})
    assert agent.delete(f"{URL}/{typo.pk}", headers={"HTTP_IF_MATCH": etag}).status_code == 412
    assert agent.delete(f"{URL}/{typo.pk}").status_code == 204
    assert not CI.objects.filter(pk=typo.pk).exists()
    assert agent.get(f"{URL}/{typo.pk}").status_code == 404
    gone = AuditEntry.objects.get(object_id=str(typo.pk), action="delete")
    assert gone.changes["name"] == ["MX11", None]


def test_a_ci_in_use_is_kept_and_the_409_says_why(world, estate, api):
    agent = api(world.agent)
    response = agent.delete(f"{URL}/{estate.mx1.pk}")
    assert response.status_code == 409
    assert "2 relationships" not in response.json()["detail"]  # MX1 has three: app + two routers
    assert "3 relationships" in response.json()["detail"]
    assert "retire or dispose" in response.json()["detail"]
    service = agent.delete(f"{URL}/{estate.mail.pk}").json()["detail"]
    assert "catalogue service Managed Mail" in service
    assert CI.objects.filter(pk=estate.mx1.pk).exists()


def test_one_relationship_is_read_changed_and_removed_with_etags(world, estate, api):
    agent = api(world.agent)
    rel = Relationship.objects.get(source=estate.mx1, target=estate.r1)
    url = f"{URL}/{estate.r1.pk}/relationships/{rel.pk}"
    read = agent.get(url)
    assert read.status_code == 200
    assert read.json()["label"] == "connected to" and read.json()["redundancy_group"] == "uplink"
    etag = read["ETag"]
    changed = agent.patch(
        url, {"notes": "via patch panel 4", "redundancy_group": ""}, headers={"HTTP_IF_MATCH": etag}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["notes"] == "via patch panel 4" and changed.json()["redundancy_group"] == ""
    assert changed["ETag"] != etag
    assert agent.patch(url, {"notes": "via patch panel 4"})["ETag"] == changed["ETag"]  # nothing changed
    assert agent.patch(url, {"notes": "late"}, headers={"HTTP_IF_MATCH": etag}).status_code == 412
    bad = agent.patch(url, {"target": estate.r2.pk})
    assert bad.status_code == 422 and "target" in bad.json()["errors"]
    long = agent.patch(url, {"redundancy_group": "x" * 51})
    assert long.status_code == 422 and "redundancy_group" in long.json()["errors"]
    # Customers read (when both ends are theirs) but never write; other tenants get a 404.
    own = Relationship.objects.get(source=estate.app, target=estate.mx1)
    alice = api(world.acme_user)
    assert alice.get(f"{URL}/{estate.mx1.pk}/relationships/{own.pk}").status_code == 200
    assert alice.patch(f"{URL}/{estate.mx1.pk}/relationships/{own.pk}", {"notes": "x"}).status_code == 403
    assert alice.get(url).status_code == 404
    assert api(world.globex_user).get(f"{URL}/{estate.mx1.pk}/relationships/{own.pk}").status_code == 404
    assert agent.delete(url, headers={"HTTP_IF_MATCH": etag}).status_code == 412
    assert agent.delete(url, headers={"HTTP_IF_MATCH": agent.get(url)["ETag"]}).status_code == 204
    assert not Relationship.objects.filter(pk=rel.pk).exists()


def test_an_unused_class_is_deleted_by_a_manager_and_a_used_one_refused(world, estate, api):
    manager = api(world.manager)
    spare = manager.post("/api/v1/ci-classes", {"name": "Tape drive", "key": "tape-drive"}).json()
    assert api(world.agent).delete(f"/api/v1/ci-classes/{spare['id']}").status_code == 403
    used = manager.delete(f"/api/v1/ci-classes/{cls('server').pk}")
    assert used.status_code == 409
    assert "configuration items are of this class" in used.json()["detail"]
    assert "deactivate it instead" in used.json()["detail"]
    parent = manager.delete(f"/api/v1/ci-classes/{cls('hardware').pk}").json()["detail"]
    assert "subclasses" in parent
    assert manager.delete(f"/api/v1/ci-classes/{spare['id']}").status_code == 204
    assert not CIClass.objects.filter(pk=spare["id"]).exists()


def test_relationship_types_are_read_and_renamed_by_managers(world, estate, api):
    kind = RelationshipType.objects.get(key="runs-on")
    url = f"/api/v1/ci-relationship-types/{kind.pk}"
    agent, manager = api(world.agent), api(world.manager)
    read = agent.get(url)
    assert read.status_code == 200 and read.json()["forward_name"] == "runs on"
    assert agent.patch(url, {"forward_name": "is run by"}).status_code == 403
    etag = read["ETag"]
    body = {"reverse_name": "carries", "target_classes": [cls("application").pk, cls("server").pk]}
    changed = manager.patch(url, body, headers={"HTTP_IF_MATCH": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["reverse_name"] == "carries"
    assert set(changed.json()["target_classes"]) == {cls("application").pk, cls("server").pk}
    assert manager.patch(url, {"description": "late"}, headers={"HTTP_IF_MATCH": etag}).status_code == 412
    unknown = manager.patch(url, {"source_classes": [999999]})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {
        "source_classes": ["No such CI class: 999999."]
    }
    assert manager.patch(url, {"symmetric": True}).status_code == 422
    symmetric = RelationshipType.objects.get(key="connected-to")
    renamed = manager.patch(f"/api/v1/ci-relationship-types/{symmetric.pk}", {"forward_name": "linked to"})
    assert renamed.json()["forward_name"] == renamed.json()["reverse_name"] == "linked to"
    assert AuditEntry.objects.filter(object_id=str(kind.pk), action="update").exists()


def test_a_ci_an_incident_names_is_kept(world, estate, api):
    with acting_as(world.agent, "web"):
        laptop = make_ci(world.agent, "ACME-LT-7", "laptop", world.acme)
    world.incident(cis=[laptop])
    refused = api(world.agent).delete(f"{URL}/{laptop.pk}")
    assert refused.status_code == 409
    assert "1 incident names it" in refused.json()["detail"]
