#!/usr/bin/env bash
# Imports the Debian 12 system-container image that tools/build_lxd_image.sh builds for LXD into the local Incus
# too, under the same alias (default vmfleet-test/debian12): Incus reads LXD's unified image tarball as it is
# (metadata.yaml, templates/, rootfs/). Builds it first when it is missing; the import is skipped when Incus
# already holds that image. Runs as root.
set -euo pipefail

CACHE_DIR=${VMFLEET_TEST_IMAGE_DIR:-/var/cache/vmfleet-test}
TARBALL=$CACHE_DIR/debian12-lxd.tar.gz
ALIAS=${VMFLEET_LXD_IMAGE_ALIAS:-vmfleet-test/debian12}
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

command -v incus >/dev/null || {
  echo "incus_image: incus is missing (make apt installs it)" >&2
  exit 1
}
[[ -s $TARBALL ]] || "$HERE/build_lxd_image.sh"

FINGERPRINT=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [[ $(incus image list "$ALIAS" --format csv -c f 2>/dev/null) != "${FINGERPRINT:0:12}" ]]; then
  incus image delete "$ALIAS" >/dev/null 2>&1 || true
  incus image import "$TARBALL" --alias "$ALIAS" >/dev/null
  echo "incus_image: imported $TARBALL as $ALIAS"
fi
echo "incus_image: ready: $ALIAS"
