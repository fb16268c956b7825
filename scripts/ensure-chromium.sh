#!/usr/bin/env bash
# Make sure Debian's Chromium is present for the browser tests (installs it when missing).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Chromium ontbreekt: installeren met apt-get (Debian-pakket chromium) ..."
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "Chromium kon niet worden geïnstalleerd; de browsertests kunnen niet draaien." >&2; exit 1; }
