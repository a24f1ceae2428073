#!/bin/sh
# Installs the Debian 12 packages Docent needs to build, run and test.
# Idempotent: packages already present are skipped, so `make` stays quick.
# With --fuzz, also clang and its libFuzzer runtime (for `make fuzz`).
set -eu

PACKAGES="
  build-essential g++ meson ninja-build pkg-config
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev
  libsqlite3-dev libpoppler-glib-dev libxml2-dev libarchive-dev
  libsoup-3.0-dev libjson-glib-dev libcairo2-dev libfaiss-dev libopenblas-dev
  libtesseract-dev tesseract-ocr-eng tesseract-ocr libtiff-dev libjpeg-dev libpng-dev
  poppler-utils xvfb xauth dbus-daemon strace util-linux
  libpango1.0-dev fonts-dejavu-core desktop-file-utils appstream
"
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES="$PACKAGES clang libclang-rt-14-dev"
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
