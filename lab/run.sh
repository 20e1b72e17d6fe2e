#!/usr/bin/env bash
# `npm run e2e`: installs what the lab needs from Debian when missing (sshd, docker-registry), builds
# the Go programs into .cache/lab (skipped when cached), then runs the GitOps loop (lab/e2e.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
command -v git >/dev/null || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
started=$SECONDS
bash lab/build.sh all
echo "lab build: $((SECONDS - started)) s"
exec npx tsx lab/e2e.ts
