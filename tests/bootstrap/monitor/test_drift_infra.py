"""Reading a refresh-only plan: which attributes count as drift, and that values never leak."""

from __future__ import annotations

from bootstrap.monitor.drift_infra import changed_attributes, findings_from_plan


def test_declared_attributes_and_tags_are_compared_computed_ones_are_not() -> None:
    before = {"cidr_block": "10.0.0.0/16", "tags": {"Name": "a"}, "route": [], "arn": "x"}
    after = {"cidr_block": "10.1.0.0/16", "tags": {"Name": "a", "team": "t"}, "route": [1]}
    config = {"cidr_block": "10.0.0.0/16", "tags": {"Name": "a"}}
    assert changed_attributes(before, after, config) == ["cidr_block", "tags.team"]


def test_null_and_empty_are_the_same_and_blocks_compare_field_by_field() -> None:
    assert changed_attributes({"tags": None}, {"tags": {}}, {}) == []
    vpc_before = {"vpc_config": [{"subnet_ids": ["a"], "cluster_security_group_id": ""}]}
    vpc_after = {"vpc_config": [{"subnet_ids": ["b"], "cluster_security_group_id": "sg"}]}
    assert changed_attributes(vpc_before, vpc_after, {"vpc_config": {"subnet_ids": []}}) == [
        "vpc_config.subnet_ids"
    ]
    assert changed_attributes({"ingress": []}, {"ingress": [{"p": 22}]}, {"ingress": []}) == [
        "ingress"
    ]


def test_findings_name_resource_and_attribute_and_deletions() -> None:
    plan = {
        "resource_drift": [
            {
                "address": "aws_vpc.net",
                "mode": "managed",
                "type": "aws_vpc",
                "name": "net",
                "change": {
                    "actions": ["update"],
                    "before": {"tags": {"Name": "n"}, "password": "old-secret"},
                    "after": {"tags": {"Name": "n", "k": "hand"}, "password": "new-secret"},
                },
            },
            {
                "address": "aws_kms_key.k",
                "mode": "managed",
                "type": "aws_kms_key",
                "name": "k",
                "change": {"actions": ["delete"], "before": {"id": "1"}, "after": None},
            },
            {"address": "data.x.y", "mode": "data", "change": {"actions": ["update"]}},
        ]
    }
    declared = {"aws_vpc": {"net": {"tags": {"Name": "n"}, "password": "${var.p}"}}}
    found = findings_from_plan(plan, "dev", "dev-cluster", declared)
    assert [(f.address, f.kind, f.attributes) for f in found] == [
        ("aws_vpc.net", "changed", ("password", "tags.k")),
        ("aws_kms_key.k", "deleted", ()),
    ]
    assert "secret" not in repr(found)
    assert "hand" not in repr(found)
