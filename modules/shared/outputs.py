"""Outputs several modules declare alike."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.shared.network import security_group_ids


def security_group_outputs(inputs: InputRefs) -> tuple[Output, ...]:
    """The outputs of modules.shared.network's security group, for a module with these inputs."""
    return (
        Output(
            "security_group_id",
            "one(aws_security_group.this[*].id)",
            "Id of the security group the module creates. Null when create_security_group is false.",
        ),
        Output(
            "security_group_arn",
            "one(aws_security_group.this[*].arn)",
            "ARN of the security group the module creates. Null when create_security_group is false.",
        ),
        Output(
            "security_group_ids",
            security_group_ids(inputs),
            "Every security group attached to the cluster: the module's own (if created), then "
            "associated_security_group_ids.",
        ),
    )
