"""API shapes for the CMDB (``/api/v1/cis``, ``/api/v1/ci-classes``, ``/api/v1/ci-relationship-types``)."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from opsdesk.cmdb.choices import CIStatus, Criticality, Environment, ImpactDirection
from opsdesk.core.api import InputSchema


class CIOut(Schema):
    id: int
    name: str
    ci_class: int = Field(..., alias="ci_class_id")
    ci_class_key: str = Field(..., alias="ci_class.key")
    ci_class_name: str = Field(..., alias="ci_class.name")
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    status: CIStatus
    environment: Environment
    criticality: Criticality
    location: int | None = Field(None, alias="location_id")
    vendor: str
    model: str
    serial_number: str
    asset_tag: str
    software_version: str = Field(..., description="The CI's own version (firmware, release)")
    external_id: str
    notes: str
    attributes: dict[str, Any] = Field(..., description="Typed values, checked against the class")
    service: int | None = Field(None, alias="service_id", description="Service CIs: the catalogue service")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(..., description="Record version, for If-Match")


class CIIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    ci_class: int = Field(..., description="CI class id")
    organisation: int = Field(..., description="Owning organisation id (a customer, or the provider)")
    status: CIStatus = CIStatus.INSTALLED
    environment: Environment = Environment.PRODUCTION
    criticality: Criticality = Criticality.MEDIUM
    location: int | None = Field(None, description="Id of a CI of the Location class")
    vendor: str = Field("", max_length=100)
    model: str = Field("", max_length=100)
    serial_number: str = Field("", max_length=100)
    asset_tag: str = Field("", max_length=100)
    software_version: str = Field("", max_length=100)
    external_id: str = Field("", max_length=200)
    notes: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)
    service: int | None = Field(None, description="Catalogue service id (Service CIs only)")


class CIPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    ci_class: int | None = None
    organisation: int | None = None
    status: CIStatus | None = None
    environment: Environment | None = None
    criticality: Criticality | None = None
    location: int | None = None
    vendor: str | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=100)
    serial_number: str | None = Field(None, max_length=100)
    asset_tag: str | None = Field(None, max_length=100)
    software_version: str | None = Field(None, max_length=100)
    external_id: str | None = Field(None, max_length=200)
    notes: str | None = None
    attributes: dict[str, Any] | None = Field(None, description="Replaces all attribute values")
    service: int | None = None


class RelationshipOut(Schema):
    id: int
    type: str = Field(..., description="Relationship type key")
    direction: str = Field(..., description="outgoing: this CI is the source; incoming: the target")
    label: str = Field(..., description="Read from this CI: 'runs on' outgoing, 'hosts' incoming")
    source: int
    source_name: str
    target: int
    target_name: str
    redundancy_group: str
    notes: str
    version: int


class RelationshipIn(InputSchema):
    type: str = Field(..., description="Relationship type key, e.g. runs-on")
    target: int = Field(..., description="The other CI's id; this CI is the source")
    redundancy_group: str = Field("", max_length=50)
    notes: str = Field("", max_length=200)


class RelationshipPatch(InputSchema):
    redundancy_group: str | None = Field(None, max_length=50, description="Empty: not redundant")
    notes: str | None = Field(None, max_length=200)


class ImpactCIOut(Schema):
    id: int
    name: str
    ci_class: str
    status: str
    organisation: str
    depth: int
    via: int | None


class NamedOut(Schema):
    id: int
    name: str


class ImpactTargetOut(Schema):
    kind: Literal["ci", "service"]
    id: int
    name: str


class ImpactRecordOut(Schema):
    kind: str = Field(..., description="incident")
    reference: str = Field(..., examples=["INC-000042"])
    title: str
    status: str
    priority: int | None = None
    url: str = Field(..., description="The record's page for you")
    on: list[ImpactTargetOut] = Field(
        ..., description="The failing CIs (this one included) and affected services the record names"
    )


class ImpactRecordsOut(Schema):
    kind: str = Field(..., examples=["incident"])
    heading: str = Field(..., examples=["Open incidents"])
    total: int = Field(..., description="How many there are in all; records holds the most pressing 50")
    records: list[ImpactRecordOut]


class ImpactSideOut(Schema):
    cis: list[ImpactCIOut]
    degraded: list[ImpactCIOut] = Field(..., description="Downstream: still up thanks to a redundant path")
    services: list[NamedOut]
    customers: list[NamedOut]
    hidden: int = Field(..., description="Reached CIs of organisations you may not see")
    depth_limited: bool
    size_limited: bool
    records: list[ImpactRecordsOut] = Field(
        default_factory=list,
        description="Downstream: the open records (incidents: new, assigned, accepted, pending) you may see "
        "on this CI, on the CIs that fail with it and on the services affected, by kind, most pressing first",
    )


class ImpactOut(Schema):
    ci: int
    downstream: ImpactSideOut
    upstream: ImpactSideOut


class AttributeDefinition(Schema):
    name: str
    label: str
    type: str
    required: bool = False
    choices: list[str] | None = None
    help: str | None = None


class CIClassOut(Schema):
    id: int
    key: str
    name: str
    parent: int | None = Field(None, alias="parent_id")
    description: str
    attributes: list[AttributeDefinition] = Field(..., description="The class's own definitions")
    all_attributes: list[AttributeDefinition] = Field(..., description="Inherited ones first, then its own")
    is_active: bool
    version: int


class CIClassIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    key: str = Field(..., min_length=1, max_length=50, pattern=r"^[-a-z0-9_]+$")
    parent: int | None = None
    description: str = ""
    attributes: list[dict[str, Any]] = Field(default_factory=list)
    is_active: bool = True


class CIClassPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    parent: int | None = None
    description: str | None = None
    attributes: list[dict[str, Any]] | None = None
    is_active: bool | None = None


class RelationshipTypeIn(InputSchema):
    key: str = Field(..., min_length=1, max_length=50, pattern=r"^[-a-z0-9_]+$")
    forward_name: str = Field(..., min_length=1, max_length=60)
    reverse_name: str = Field("", max_length=60, description="Ignored for a symmetric type")
    symmetric: bool = False
    impact: ImpactDirection = ImpactDirection.SOURCE_DEPENDS
    source_classes: list[int] = Field(default_factory=list, description="Class ids; empty: any class")
    target_classes: list[int] = Field(default_factory=list, description="Class ids; empty: any class")
    description: str = ""


class RelationshipTypePatch(InputSchema):
    forward_name: str | None = Field(None, min_length=1, max_length=60)
    reverse_name: str | None = Field(None, max_length=60, description="Ignored for a symmetric type")
    impact: ImpactDirection | None = None
    source_classes: list[int] | None = Field(None, description="Class ids; empty: any class")
    target_classes: list[int] | None = Field(None, description="Class ids; empty: any class")
    description: str | None = None


class RelationshipTypeOut(Schema):
    id: int
    key: str
    forward_name: str
    reverse_name: str
    symmetric: bool
    impact: str
    source_classes: list[int]
    target_classes: list[int]
    description: str
    version: int

    @staticmethod
    def resolve_source_classes(obj):
        return [c.pk for c in obj.source_classes.all()]

    @staticmethod
    def resolve_target_classes(obj):
        return [c.pk for c in obj.target_classes.all()]


class LinkedRecordOut(Schema):
    kind: str = Field(..., description="incident (later also problem, known error, change)")
    reference: str = Field(..., examples=["INC-000042"])
    title: str
    status: str
    priority: int | None = None
    url: str = Field(..., description="The record's page for you")


class LinkedSectionOut(Schema):
    kind: str
    heading: str = Field(..., examples=["Open incidents"])
    records: list[LinkedRecordOut]
    more_url: str = Field("", description="Page listing every such record naming the CI, if you have one")
