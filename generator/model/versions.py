"""Version constraints written into every generated configuration. Ours, not the toolkit's: cdktf pins the exact
provider version its bindings were generated for, which would change the output whenever the toolkit changes."""

# The bindings were generated for hashicorp/aws 6.x; the local mirror used to validate here is 5.100.0. Both work:
# every attribute the modules set exists in both lines.
AWS_PROVIDER = ">= 5.100.0, < 7.0.0"

# Modules use optional() object attributes with defaults (1.3) and strcontains() (1.5).
TERRAFORM_MODULE = ">= 1.5.7"

# Roots may use S3-native state locking (backend "s3" use_lockfile, Terraform 1.10).
TERRAFORM_ROOT = ">= 1.10.0"
