"""The rule language: value types, expressions rendered both as Python checks and as HCL, inputs and their rules,
the one definition of what looks like a secret, and the AWS facts rules are written against (Regions, partitions).
Imports nothing else of the generator."""
