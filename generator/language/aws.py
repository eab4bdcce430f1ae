"""AWS facts the core itself needs (an environment file's region, an S3 backend's region), kept here so that the
generator reads them without importing modules/; modules/catalog.py re-exports them for the modules."""

import re

# The shape of a Region name (an unknown Region of this shape is told apart by generator.config.limits).
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-[0-9]")

# AWS Regions, by partition: the commercial partition (aws), China (aws-cn) and AWS GovCloud (aws-us-gov).
# Source: AWS General Reference "AWS Regions" / "Regional endpoints", read 2026-11 (ap-east-2 Taipei,
# ap-southeast-6 New Zealand and ap-southeast-7 Thailand are the newest). Opt-in Regions are listed: whether the
# account has enabled one is not something a plan can know.
AWS_REGIONS_BY_PARTITION = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
        "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
        "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
        "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}
AWS_REGIONS = tuple(region for regions in AWS_REGIONS_BY_PARTITION.values() for region in regions)
AWS_PARTITIONS = tuple(AWS_REGIONS_BY_PARTITION)
