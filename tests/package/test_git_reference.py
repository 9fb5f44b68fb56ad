"""`pulumi package add` from a git reference, as a team adds a released version.

The repository at HEAD is served by a git host on loopback (`git_host.py`: TLS, git's smart
HTTP server, a name resolved in a private mount namespace), tagged with the package's
version. A YAML program adds `git.langgraph.test/org/repo.git/package@v<version>`: the CLI
clones the repository, installs the plugin's virtualenv, generates the SDK, and the program
deploys through it. The CLI gets a `PULUMI_HOME` of its own (with the toolchain's resource
plugins), so the toolchain's plugin cache is left as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from components.core.names import PACKAGE_VERSION
from tests.integration.dataplane_project import engine, manifests
from tests.package.git_host import HOST, git_host
from tests.package.package_programs import REPO, Program

pytestmark = pytest.mark.integration


def _home_with_plugins(home: Path) -> Path:
    """A PULUMI_HOME holding (hard links to) the toolchain's kubernetes and random plugins."""
    source = Path(engine().env["PULUMI_HOME"]) / "plugins"
    (home / "plugins").mkdir(parents=True)
    for plugin in source.glob("resource-*"):
        if plugin.is_dir() and not plugin.name.endswith(".partial"):
            try:
                shutil.copytree(plugin, home / "plugins" / plugin.name, copy_function=os.link)
            except OSError:  # another file system: a copy
                shutil.copytree(plugin, home / "plugins" / plugin.name, dirs_exist_ok=True)
    return home


def test_a_yaml_program_adds_the_package_from_a_git_tag_and_deploys(tmp_path: Path) -> None:
    reference = f"{HOST}/org/repo.git/package@v{PACKAGE_VERSION}"
    with git_host(tmp_path / "git") as host:
        host.add_repo(REPO, "org/repo.git", f"v{PACKAGE_VERSION}")
        root = tmp_path / "program"
        root.mkdir()
        project = {
            "name": "git-consumer",
            "runtime": "yaml",
            "resources": {
                "dp": {
                    "type": "langgraph:index:DataPlane",
                    "properties": {
                        "licenseKey": {"fn::secret": "lgp-example-licence-key"},
                        "deployments": {"a": {"static": {"image": "registry.example.com/a:1.0"}}},
                        "renderDir": str(tmp_path / "manifests"),
                    },
                }
            },
        }
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        home = _home_with_plugins(tmp_path / "pulumi-home")
        program = Program.create(
            root,
            tmp_path / "state",
            prefix=host.command_prefix(),
            extra_env={**host.env(), "PULUMI_HOME": str(home)},
        )
        program.cli("package", "add", reference)
        added = yaml.safe_load((root / "Pulumi.yaml").read_text())["packages"]["langgraph"]
        assert added == reference
        assert list((home / "plugins").glob("resource-git.langgraph.test_org_repo.git_package*"))
        program.up()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in manifests(tmp_path / "manifests")}
    assert {
        ("Deployment", "a-api"),
        ("Deployment", "a-queue"),
        ("StatefulSet", "a-postgres"),
    } <= kinds
