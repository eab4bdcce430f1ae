"""From declarations to files: synthesis through the CDK layer, normalization of its JSON, the rendered docs and
native `terraform test` files, and writing and reading the generated tree."""
