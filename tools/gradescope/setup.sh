#!/usr/bin/env bash
# Gradescope autograder set-up: runs once when the instructor uploads the autograder
# (build/autograder.zip from `make autograder`). Gradescope unpacks the zip into
# /autograder/source; this installs the Debian packages every lab needs.
set -euo pipefail
cd /autograder/source
apt-get update -qq
apt-get install -y -qq --no-install-recommends make gcc
./tools/deps --install . labs/*/ $( [ -d capstone ] && echo capstone )
