#!/usr/bin/env bash
# Make sure the Debian libraries and fonts WeasyPrint needs (PDF dossiers and reports) are
# present: Pango, HarfBuzz and local fonts (Liberation, DejaVu). Installs them when missing.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Voor de PDF-documenten ontbreken: ${missing[*]} — installeren met apt-get ..."
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
for package in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || {
    echo "$package kon niet worden geïnstalleerd; PDF-documenten kunnen niet worden gemaakt." >&2; exit 1; }
done
