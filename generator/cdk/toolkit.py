"""Which CDK toolkit synthesizes: cdktf (the default, as designed) or its maintained fork CDK Terrain (cdktn).

Chosen explicitly with the environment variable CDK_TOOLKIT, never guessed from what is installed: the same
sources must give the same reviewed output, and a silent switch would hide which library produced it.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

from generator.language.inputs import InputError

ENV_VAR = "CDK_TOOLKIT"


class ToolkitError(InputError):
    """The toolkit setting is wrong or its packages are missing: a user error, reported like bad input."""

    def __init__(self, message: str):
        super().__init__([message])


@dataclass(frozen=True)
class Toolkit:
    name: str
    core_package: str
    aws_package: str
    # The npm name of the same bindings inside the jsii kernel (the package the Node-side lazy loading rewrites).
    aws_npm_package: str
    install_hint: str

    def import_core(self) -> ModuleType:
        try:
            return importlib.import_module(self.core_package)
        except ImportError as err:
            raise ToolkitError(
                f"{ENV_VAR}={self.name}: the package '{self.core_package}' is not installed ({err}); {self.install_hint}"
            ) from None


TOOLKITS = {
    "cdktf": Toolkit("cdktf", "cdktf", "cdktf_cdktf_provider_aws", "@cdktf/provider-aws", "install the project: .venv/bin/pip install -e '.[test]'"),
    "cdktn": Toolkit("cdktn", "cdktn", "cdktn_provider_aws", "@cdktn/provider-aws", "install the fork: .venv/bin/pip install -e '.[cdktn,test]'"),
}


def selected() -> Toolkit:
    name = os.environ.get(ENV_VAR, "cdktf").strip() or "cdktf"
    if name not in TOOLKITS:
        raise ToolkitError(f"{ENV_VAR}: must be one of {', '.join(sorted(TOOLKITS))}, got {name!r}")
    return TOOLKITS[name]

