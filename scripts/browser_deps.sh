#!/usr/bin/env bash
# Debian's chromium and a CJK font for the browser tests. Installs them when missing and the
# user may (root, or sudo without a password); otherwise fails with what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qiE "wenquanyi|noto (sans|serif) cjk" || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && { echo "browser_deps: chromium and CJK fonts present"; exit 0; }
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "browser_deps: missing ${missing[*]}; install them: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "browser_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
