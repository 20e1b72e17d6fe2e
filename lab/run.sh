#!/usr/bin/env bash
# `npm run e2e`: installs what the lab needs from Debian when missing (sshd, docker-registry), builds
# the Go programs into .cache/lab (nothing when cached), then runs the GitOps loop (lab/e2e.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
command -v git >/dev/null || missing+=(git)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # On a machine with systemd the packages start their services on all interfaces (:22, :5000); the
  # lab runs its own on 127.0.0.1, so stop the ones this install started.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    case " ${missing[*]} " in *" openssh-server "*) $sudo systemctl disable --now ssh 2>/dev/null || true ;; esac
    case " ${missing[*]} " in *" docker-registry "*) $sudo systemctl disable --now docker-registry 2>/dev/null || true ;; esac
  fi
fi
# sshd refuses to start without its privilege-separation directory, even as an ordinary user.
[ -d /run/sshd ] || $sudo mkdir -p /run/sshd
echo "lab packages: $((SECONDS - started)) s"
bash lab/build.sh all
# The lab's platform program imports the library by its package name, as a user's program does.
npm run --silent build
npm run --silent build:policy
echo "lab build: $((SECONDS - started)) s"
npx tsx lab/e2e.ts
echo "lab total: $((SECONDS - started)) s"
