"""The generator core, in layers; each imports only from the layers listed before it (tests/test_layers.py):

- language/   the rule language: value types, expressions (Python evaluation and HCL rendering from one
              declaration), inputs with their rules and checks, what looks like a secret, the AWS facts rules
              need (Regions, partitions)
- cdk/        the thin layer over cdktf or its fork cdktn: the only code that imports a CDK toolkit
- model/      a module's declaration (ModuleDefinition), its typed wiring, discovery of modules/, versions
- config/     environment files: loading and checking them, the AWS limits checked before apply
- synthesis/  from declarations to files: synth through the CDK layer, normalization, docs, native tests,
              writing and reading the tree
- commands/   what `python main.py` does: the command line, the pipeline, --diff, --adopt (and its state reader)

The generator never imports modules/ (the project's modules) nor testkit/: main.py hands it the modules.
"""
