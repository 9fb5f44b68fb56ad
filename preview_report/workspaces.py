"""One Automation API workspace per stack of a project, all on one backend.

Shared by the fleet preview (`preview_report.fleet`) and the drift check
(`preview_report.drift`). Each stack gets its own `LocalWorkspace` on the project folder
(the real CLI and language host run the project's own program), with its own environment:

- the backend: one `PULUMI_BACKEND_URL` for every stack;
- the passphrase: `PULUMI_CONFIG_PASSPHRASE_<STACK>` (the stack name upper-cased, `-` as
  `_`), else `PULUMI_CONFIG_PASSPHRASE`;
- the cluster: `DATAPLANE_KUBECONFIG_<STACK>`, when set, becomes that stack's
  `DATAPLANE_KUBECONFIG` (the program's switch to another kubeconfig).

A dry run (`Overrides`) previews the stacks somewhere else than where they live: against
another control plane (its URL; the API key from `LANGGRAPH_CONTROL_PLANE_API_KEY`) and/or
rendering manifests to a folder instead of reading a cluster. The stack files are never
edited: the overrides go into a copy of each, which the CLI reads with `--config-file`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from .load import PreviewDocument, document_of
from .touched import env_suffix

API_KEY_ENV = "LANGGRAPH_CONTROL_PLANE_API_KEY"
PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
KUBECONFIG_ENV = "DATAPLANE_KUBECONFIG"
CONTROL_PLANE_KEY = "dataplane:controlPlane"


class FleetSetupError(RuntimeError):
    """A stack cannot be previewed: no passphrase, no such stack, a bad override..."""


@dataclass(frozen=True)
class Overrides:
    """What a dry run changes in every stack's config (in a copy of its file)."""

    control_plane_url: str | None = None
    """Every stack with a control plane talks to this one instead: `controlPlane.url` is set,
    `region`, `langsmithUrl` and `workspaceId` (which name the real one) are dropped, and
    `dataplane:apiKey` is the value of `LANGGRAPH_CONTROL_PLANE_API_KEY`. A stack without
    `controlPlane` (standalone) is left without one."""
    render_dir: Path | None = None
    """No cluster: `dataplane:kubeconfig` is dropped and manifests are rendered to
    `<render_dir>/<stack>`."""

    @property
    def any(self) -> bool:
        return bool(self.control_plane_url or self.render_dir)


@dataclass(frozen=True)
class Project:
    """The Pulumi project folder and the stacks in its stack folder."""

    root: Path

    @property
    def settings(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "Pulumi.yaml").read_text()) or {}

    @property
    def stacks_dir(self) -> Path:
        return self.root / str(self.settings.get("stackConfigDir") or ".")

    def stacks(self) -> list[str]:
        """Every stack with a `Pulumi.<stack>.yaml` in the stack folder, sorted."""
        return sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml")
            for p in self.stacks_dir.glob("Pulumi.*.yaml")
        )

    def stack_file(self, stack: str) -> Path:
        return self.stacks_dir / f"Pulumi.{stack}.yaml"

    @property
    def virtualenv(self) -> Path | None:
        """The program's virtualenv (`runtime.options.virtualenv`), made absolute."""
        runtime = self.settings.get("runtime")
        options = runtime.get("options") if isinstance(runtime, dict) else None
        venv = options.get("virtualenv") if isinstance(options, dict) else None
        return (self.root / str(venv)).resolve() if venv else None


@dataclass(frozen=True)
class Fleet:
    """How every stack of the fleet is opened: the project, the backend, the dry run."""

    project: Project
    backend: str
    work_dir: Path
    """Where the copies of the stack files go (dry runs)."""
    overrides: Overrides = Overrides()
    create_missing: bool = False
    """Create stacks that the backend does not have (a new stack file, a fresh backend)."""

    def env(self, stack: str) -> dict[str, str]:
        """The environment of `stack`'s CLI runs (on top of this process's)."""
        suffix = env_suffix(stack)
        passphrase = os.environ.get(f"{PASSPHRASE_ENV}_{suffix}", os.environ.get(PASSPHRASE_ENV))
        env = {"PULUMI_BACKEND_URL": self.backend, "PULUMI_SKIP_UPDATE_CHECK": "true"}
        if passphrase is not None:
            env[PASSPHRASE_ENV] = passphrase
        # The dynamic-provider host unpickles the providers by reference: it imports
        # `components` from the project folder, with the program's virtualenv.
        path = os.environ.get("PYTHONPATH")
        env["PYTHONPATH"] = (
            f"{self.project.root}{os.pathsep}{path}" if path else str(self.project.root)
        )
        venv = self.project.virtualenv
        if venv:
            env["PULUMI_RUNTIME_VIRTUALENV"] = str(venv)
        kubeconfig = os.environ.get(f"{KUBECONFIG_ENV}_{suffix}")
        if self.overrides.render_dir:
            env[KUBECONFIG_ENV] = ""  # render: no cluster, whatever the environment says
        elif kubeconfig:
            env[KUBECONFIG_ENV] = kubeconfig
        return env

    def open(self, stack: str) -> tuple[auto.Stack, str | None]:
        """The stack in its own workspace, and the config file a dry run reads instead of
        the stack file (None when there is no dry run).

        Raises FleetSetupError with the fix when it cannot be opened.
        """
        if not self.project.stack_file(stack).is_file():
            raise FleetSetupError(f"no stack file {self.project.stack_file(stack)}")
        env = self.env(stack)
        if PASSPHRASE_ENV not in env and _uses_passphrase(self.project.stack_file(stack)):
            raise FleetSetupError(
                f"no passphrase for stack {stack!r}: set {PASSPHRASE_ENV}_{env_suffix(stack)} "
                f"(or {PASSPHRASE_ENV} for every stack)"
            )
        opts = auto.LocalWorkspaceOptions(work_dir=str(self.project.root), env_vars=env)
        try:
            if self.create_missing:
                handle = auto.create_or_select_stack(
                    stack, work_dir=str(self.project.root), opts=opts
                )
            else:
                handle = auto.select_stack(stack, work_dir=str(self.project.root), opts=opts)
        except auto.StackNotFoundError:
            raise FleetSetupError(
                f"the backend {self.backend} has no stack {stack!r}: create it with "
                f"`pulumi stack init {stack}` (or run with --create-missing)"
            ) from None
        except auto.CommandError as exc:
            raise FleetSetupError(f"cannot open stack {stack!r}: {_last_error(exc)}") from None
        if not self.overrides.any:
            return handle, None
        return handle, str(self._dry_config(handle, stack, env))

    def _dry_config(self, handle: auto.Stack, stack: str, env: dict[str, str]) -> Path:
        """A copy of the stack file with the dry run's overrides."""
        doc = yaml.safe_load(self.project.stack_file(stack).read_text()) or {}
        config = doc.setdefault("config", {}) or {}
        doc["config"] = config
        overrides = self.overrides
        # A stack with no control plane (standalone) stays without one.
        synced = bool(overrides.control_plane_url) and CONTROL_PLANE_KEY in config
        if synced:
            control_plane = dict(config.get(CONTROL_PLANE_KEY) or {})
            control_plane.pop("region", None)
            control_plane.pop("langsmithUrl", None)  # beside `url`, it must name the same one
            control_plane.pop("workspaceId", None)
            control_plane["url"] = overrides.control_plane_url
            config[CONTROL_PLANE_KEY] = control_plane
            config.pop("dataplane:apiKey", None)  # set again below, encrypted for this stack
        if overrides.render_dir:
            config.pop("dataplane:kubeconfig", None)
            config["dataplane:renderDir"] = str((overrides.render_dir / stack).resolve())
        self.work_dir.mkdir(parents=True, exist_ok=True)
        path = self.work_dir / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        if synced:
            key = os.environ.get(API_KEY_ENV)
            if not key:
                raise FleetSetupError(
                    f"--control-plane-url needs the API key of that control plane in {API_KEY_ENV}"
                )
            # Through stdin, so that the key is in no command line.
            done = subprocess.run(
                [
                    handle.workspace.pulumi_command.command,
                    "config",
                    "set",
                    "--secret",
                    "--non-interactive",
                    "--config-file",
                    str(path),
                    "--stack",
                    stack,
                    "dataplane:apiKey",
                ],
                input=key,
                cwd=self.project.root,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise FleetSetupError(
                    f"cannot set the dry run's API key on stack {stack!r}: "
                    f"{done.stderr.strip().splitlines()[-1:] or done.returncode}"
                )
        return path


def _uses_passphrase(stack_file: Path) -> bool:
    """Whether the stack's secrets provider is the passphrase (the default)."""
    doc = yaml.safe_load(stack_file.read_text()) or {}
    provider = doc.get("secretsprovider")
    return provider in (None, "", "passphrase") or "encryptionsalt" in doc


def _last_error(exc: auto.CommandError) -> str:
    """The CLI's `error: ...` line of a failed command, else its last line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    errors = [line[line.index("error:") :] for line in lines if "error:" in line]
    return (errors or lines or ["(no output)"])[-1]


def add_options(p: argparse.ArgumentParser, *, default_jobs: int) -> None:
    """The options every fleet command shares: which stacks, where, how many at once."""
    p.add_argument("stacks", nargs="*", metavar="STACK", help="default: every stack file")
    p.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="the Pulumi project (default: .)"
    )
    p.add_argument(
        "--backend",
        default=os.environ.get("PULUMI_BACKEND_URL"),
        help="the one state backend of every stack (default: $PULUMI_BACKEND_URL)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=default_jobs,
        help=f"stacks at once (default {default_jobs})",
    )
    p.add_argument(
        "--control-plane-url",
        help="dry run: every stack against this control plane (its API key from "
        f"${API_KEY_ENV}); region, langsmithUrl and workspaceId are dropped",
    )
    p.add_argument(
        "--render-dir",
        type=Path,
        help="dry run: no cluster; render manifests to DIR/<stack> (drops dataplane:kubeconfig)",
    )
    p.add_argument("-o", "--output", type=Path, help="the report (default: stdout)")
    p.add_argument("--title", help="the report's heading")


def chosen_stacks(
    p: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[Project, list[str]]:
    """The project and the stacks to run, or a usage error (exit 2) saying what is wrong."""
    project = Project(args.project_dir.resolve())
    if not (project.root / "Pulumi.yaml").is_file():
        p.error(f"{project.root} holds no Pulumi.yaml (see --project-dir)")
    if not args.backend:
        p.error("no backend: set PULUMI_BACKEND_URL or give --backend (one for every stack)")
    if args.jobs < 1:
        p.error("--jobs must be 1 or more")
    available = project.stacks()
    stacks = args.stacks or available
    unknown = sorted(set(stacks) - set(available))
    if unknown:
        p.error(f"no stack file for {', '.join(unknown)} in {project.stacks_dir}")
    if not stacks:
        p.error(f"no Pulumi.<stack>.yaml in {project.stacks_dir}")
    return project, stacks


def overrides_of(args: argparse.Namespace) -> Overrides:
    render = args.render_dir.resolve() if args.render_dir else None
    return Overrides(args.control_plane_url, render)


def preview_json(
    handle: auto.Stack, config_file: str | None, **options: Any
) -> tuple[PreviewDocument, str, str]:
    """`pulumi preview --json` of the stack: its document (or why there is none), and the
    CLI's stdout and stderr. A failed preview raises nothing: its JSON says why."""
    stdout: list[str] = []
    stderr: list[str] = []
    try:
        handle.preview(
            json=True,
            color="never",
            config_file=config_file,
            on_output=stdout.append,
            on_error=stderr.append,
            **options,
        )
    except auto.CommandError:
        pass  # a failed preview still prints its JSON
    except RuntimeError as exc:  # the Automation API found no summary event
        stderr.append(f"error: {exc}")
    out, err = "\n".join(stdout), "\n".join(stderr)
    return document_of(out, handle.name, f"{handle.name} (pulumi preview --json)"), out, err
