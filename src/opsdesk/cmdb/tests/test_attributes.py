"""Typed attributes: class definitions, inheritance, and values checked against them in one place."""

import pytest
from django.core.exceptions import ValidationError

from opsdesk.cmdb import services
from opsdesk.cmdb.attributes import clean_definitions, clean_values
from opsdesk.cmdb.tests.conftest import cls, make_ci

DEFS = clean_definitions(
    [
        {"name": "hostname", "type": "text", "required": True},
        {"name": "ram_gb", "label": "RAM (GB)", "type": "number"},
        {"name": "bought", "type": "date"},
        {"name": "virtual", "type": "boolean"},
        {"name": "tier", "type": "choice", "choices": ["gold", "silver"]},
        {"name": "ip", "label": "IP", "type": "ip"},
        {"name": "twin", "type": "ci"},
    ]
)


def errors(values, **kw):
    with pytest.raises(ValidationError) as exc:
        clean_values(DEFS, values, **kw)
    return exc.value.message_dict


def test_values_of_every_type_are_stored_in_canonical_form():
    cleaned = clean_values(
        DEFS,
        {
            "hostname": " mx1 ",
            "ram_gb": "64",
            "bought": "2024-03-01",
            "virtual": "yes",
            "tier": "gold",
            "ip": "2001:0db8::0001",
            "twin": "7",
        },
        ci_exists=lambda pk: pk == 7,
    )
    assert cleaned == {
        "hostname": "mx1",
        "ram_gb": 64,
        "bought": "2024-03-01",
        "virtual": True,
        "tier": "gold",
        "ip": "2001:db8::1",
        "twin": 7,
    }
    assert clean_values(DEFS, {"hostname": "a", "ram_gb": 1.5, "virtual": False}) == {
        "hostname": "a",
        "ram_gb": 1.5,
        "virtual": False,
    }


def test_each_bad_value_is_reported_under_its_own_attribute_name():
    found = errors(
        {
            "ram_gb": "lots",
            "bought": "yesterday",
            "virtual": "maybe",
            "tier": "bronze",
            "ip": "10.0.0.300",
            "twin": 99,
            "colour": "red",
        },
        ci_exists=lambda pk: False,
    )
    assert found["attributes.hostname"] == ["Hostname is required."]
    assert found["attributes.ram_gb"] == ["RAM (GB) must be a number."]
    assert "date" in found["attributes.bought"][0]
    assert found["attributes.virtual"] == ["Virtual must be true or false."]
    assert found["attributes.tier"] == ["Tier must be one of: gold, silver."]
    assert found["attributes.ip"] == ["IP must be an IPv4 or IPv6 address."]
    assert "no configuration item 99" in found["attributes.twin"][0]
    assert "no attribute 'colour'" in found["attributes.colour"][0]
    assert errors({"hostname": "a", "ram_gb": True})["attributes.ram_gb"]  # a boolean is no number


def test_bad_definitions_are_refused_with_reasons():
    with pytest.raises(ValidationError) as exc:
        clean_definitions(
            [
                {"name": "Bad Name", "type": "text"},
                {"name": "size", "type": "colour"},
                {"name": "tier", "type": "choice"},
                {"name": "ok", "type": "text", "choices": ["a"]},
                {"name": "dup", "type": "text"},
                {"name": "dup", "type": "number"},
            ]
        )
    problems = exc.value.message_dict["attributes"]
    assert len(problems) == 5  # the first "dup" is fine; the second is the problem
    assert any("defined twice" in p for p in problems)
    with pytest.raises(ValidationError):
        clean_definitions([{"name": "ip_address", "type": "ip"}], inherited={"ip_address"})


def test_subclasses_inherit_their_parents_attributes(world):
    # Hardware defines purchase_date; a Server has it too, a Router (Network) does not.
    mx = make_ci(world.agent, "mx", "server", world.acme, attributes={"purchase_date": "2023-05-01"})
    assert mx.attributes == {"purchase_date": "2023-05-01"}
    with pytest.raises(ValidationError) as exc:
        make_ci(world.agent, "r", "router", world.acme, attributes={"purchase_date": "2023-05-01"})
    assert "attributes.purchase_date" in exc.value.message_dict


def test_a_new_required_attribute_on_a_parent_class_binds_the_subclasses(world):
    hardware = cls("hardware")
    services.update_class(
        hardware,
        {"attributes": [*hardware.attributes, {"name": "owner_team", "type": "text", "required": True}]},
        by=world.admin,
    )
    with pytest.raises(ValidationError) as exc:
        make_ci(world.agent, "laptop-7", "laptop", world.acme)
    assert exc.value.message_dict["attributes.owner_team"] == ["Owner team is required."]
    assert make_ci(world.agent, "l8", "laptop", world.acme, attributes={"owner_team": "Ops"}).pk


def test_a_class_cannot_redefine_what_a_parent_or_child_defines(world):
    with pytest.raises(ValidationError) as exc:
        services.create_class(
            by=world.admin,
            name="Blade",
            key="blade",
            parent=cls("server"),
            attributes=[{"name": "ram_gb", "type": "number"}],
        )
    assert "defined twice" in exc.value.message_dict["attributes"][0]
    hardware = cls("hardware")
    with pytest.raises(ValidationError):  # Server already has cpu_count
        services.update_class(
            hardware, {"attributes": [{"name": "cpu_count", "type": "number"}]}, by=world.admin
        )
    with pytest.raises(ValidationError) as exc:  # no loops in the hierarchy
        services.update_class(hardware, {"parent": cls("server")}, by=world.admin)
    assert "parent" in exc.value.message_dict
