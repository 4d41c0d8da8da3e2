#!/bin/sh
# Regenerate the build system (configure, Makefile.in, gettext support).
set -e
cd "$(dirname "$0")"
autoreconf -fi
