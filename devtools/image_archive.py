"""Pack a root filesystem into an image archive that containerd imports, without a registry.

The archive is the `docker save` layout (a `manifest.json`, one config JSON and one layer
tarball), which `ctr images import` reads. The layer is made by GNU tar from the folder, with
numeric owners and file capabilities kept, in name order, every time set to one instant
(the same folder gives the same layer);
the config carries what a Dockerfile would set (entrypoint, command, environment, user,
working folder, stop signal, ports, labels).

    python -m devtools.image_archive ROOTFS OUT.tar --ref NAME:TAG --config CONFIG.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

EPOCH = 0
"""The layer's file times: a rebuild from the same packages gives the same layer."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def layer_tar(rootfs: Path, out: Path) -> None:
    """The whole folder as one layer. /dev, /proc and /sys stay empty: the runtime mounts
    its own there."""
    subprocess.run(
        [
            "tar",
            "--create",
            f"--file={out}",
            f"--directory={rootfs}",
            # PAX headers (for file capabilities) without access and change times.
            "--format=posix",
            "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
            "--numeric-owner",
            "--xattrs",
            "--xattrs-include=security.capability",
            "--sort=name",
            f"--mtime=@{EPOCH}",
            "--exclude=./dev/*",
            "--exclude=./proc/*",
            "--exclude=./sys/*",
            ".",
        ],
        check=True,
    )


def image_config(layer_digest: str, config: dict[str, Any]) -> dict[str, Any]:
    """The image's config JSON (OCI image config, as `docker save` writes it)."""
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer_digest}"]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "scripts/build-images.sh"}],
    }


def pack(rootfs: Path, out: Path, ref: str, config: dict[str, Any]) -> str:
    """Write the archive of `rootfs` as image `ref` to `out`; the config's digest (the
    image id containerd shows)."""
    with tempfile.TemporaryDirectory(dir=out.parent) as scratch:
        layer = Path(scratch) / "layer.tar"
        layer_tar(rootfs, layer)
        layer_digest = sha256_file(layer)
        config_bytes = json.dumps(image_config(layer_digest, config), sort_keys=True).encode()
        config_digest = hashlib.sha256(config_bytes).hexdigest()
        (Path(scratch) / "config.json").write_bytes(config_bytes)
        manifest = [
            {
                "Config": f"{config_digest}.json",
                "RepoTags": [ref],
                "Layers": [f"{layer_digest}/layer.tar"],
            }
        ]
        (Path(scratch) / "manifest.json").write_text(json.dumps(manifest))
        partial = out.with_suffix(".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            archive.add(Path(scratch) / "manifest.json", "manifest.json")
            archive.add(Path(scratch) / "config.json", f"{config_digest}.json")
            archive.add(layer, f"{layer_digest}/layer.tar")
        partial.replace(out)
    return config_digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.image_archive")
    parser.add_argument("rootfs", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--ref", required=True, help="the image's name and tag")
    parser.add_argument("--config", type=Path, required=True, help="the image config (JSON)")
    args = parser.parse_args(argv)
    digest = pack(args.rootfs, args.out, args.ref, json.loads(args.config.read_text()))
    print(f"{args.ref} sha256:{digest} {args.out.stat().st_size // (1 << 20)} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
