#!/bin/sh
# install-deps.sh: install every Debian 12 package Framuga needs to build,
# run its demo and run its tests.  Run as root.  Safe to run again.
#
#   build:   autotools, gettext, the C libraries of the design card,
#            libgd (product photo thumbnails), libqrencode (the second
#            factor's QR code)
#   run:     nginx (light), locales for pl/en/de
#   tests:   cmocka, curl, xmllint (WSDL schema checks), dovecot (IMAP), wrk,
#            jq (URL-encoding words in the benchmarks and tests),
#            zbar-tools (zbarimg reads the QR code back),
#            chromium (Playwright drives it), clang's sanitizer runtime
#            and libFuzzer (fuzz harnesses), node + npm (playwright-core)
set -e

PKGS="build-essential autoconf automake libtool pkg-config gettext autopoint
 libfcgi-dev libsqlite3-dev sqlite3 libjansson-dev libcurl4-gnutls-dev
 libetpan-dev libxml2-dev libssl-dev libargon2-dev libmicrohttpd-dev libgd-dev
 libqrencode-dev
 nginx-light locales ca-certificates
 libcmocka-dev curl libxml2-utils dovecot-imapd wrk chromium clang libclang-rt-14-dev
 python3 procps jq zbar-tools"

export DEBIAN_FRONTEND=noninteractive
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
# node + npm for the browser tests (Debian's, unless one is already there)
command -v node >/dev/null 2>&1 || apt-get install -y -qq nodejs npm

# The UI switches language per request with uselocale(): the locales must
# exist.
need_gen=0
for l in pl_PL.UTF-8 en_US.UTF-8 de_DE.UTF-8; do
	locale -a 2>/dev/null | grep -qi "^$(echo "$l" | sed 's/UTF-8/utf8/')$" || need_gen=1
done
if [ "$need_gen" = 1 ]; then
	for l in pl_PL en_US de_DE; do
		sed -i "s/^# *\($l.UTF-8 UTF-8\)/\1/" /etc/locale.gen
		grep -q "^$l.UTF-8 UTF-8" /etc/locale.gen || echo "$l.UTF-8 UTF-8" >> /etc/locale.gen
	done
	locale-gen >/dev/null
fi
# nginx from the package must not hold port 80 during tests; we run our own.
