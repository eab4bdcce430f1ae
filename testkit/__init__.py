"""The team's test and CI tools, outside the product: the Terraform CLI harness (offline plans, `terraform test`,
provider discovery for CI scripts), Terratest-style assertions and the checkov security gate. Nothing in
generator/ or modules/ imports this package; it imports them."""
