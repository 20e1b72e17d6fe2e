#!/usr/bin/env bash
# Builds the lab's programs from their Go modules through the Go module proxy, into the git-ignored
# .cache/lab/bin, keyed by version so a warm run builds nothing:
#   etcd, kube-apiserver, and the Flux controllers at the versions the library pins.
# Usage: lab/build.sh [etcd|kube-apiserver|flux|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
source lab/versions.env
root="$PWD/.cache/lab"
bin="$root/bin"
mkdir -p "$bin" "$root/build" "$root/logs"
export GOFLAGS="-mod=mod -trimpath" CGO_ENABLED=0

timed() { # name, then the command
  local name=$1; shift
  local started=$SECONDS
  nice -n 10 /usr/bin/env time -f "$name: %e s, peak %M KiB" -a -o "$root/logs/build-times.txt" "$@"
  echo "built $name in $((SECONDS - started)) s"
}

# Builds the main package `pkg` of `module@version` from a scratch module, since `go install` refuses
# modules whose go.mod has replace directives (etcd's and Flux's point at their own submodules).
build_main() { # output, module, version, package, extra requirements...
  local out=$1 module=$2 version=$3 pkg=$4; shift 4
  [ -x "$out" ] && return 0
  local dir="$root/build/$(basename "$out")"
  mkdir -p "$dir"
  (cd "$dir" && rm -f go.mod go.sum deps.go && go mod init "lab/$(basename "$out")" >/dev/null 2>&1 &&
    go mod edit -require="$module@$version" && for extra in "$@"; do go mod edit -require="$extra"; done)
  # A dependency's replace directives are ignored, so carry over those that point at other versions
  # (e.g. Flux's pinned go-digest and kustomize); local ones are covered by the requirements above.
  curl -fsS "$(go env GOPROXY | cut -d, -f1)/$module/@v/$version.mod" |
    sed -n -e 's#^replace \([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$#\1=\2@\3#p' -e 's#^\s\+\([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$#\1=\2@\3#p' |
    while read -r replacement; do (cd "$dir" && go mod edit -replace="$replacement"); done
  (cd "$dir" && timed "$(basename "$out")" go build -o "$out" "$pkg")
}

build_etcd() {
  build_main "$bin/etcd-$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3
}

build_kube_apiserver() {
  local out="$bin/kube-apiserver-$KUBERNETES_VERSION"
  [ -x "$out" ] && return 0
  local dir="$root/build/kube-apiserver-$KUBERNETES_VERSION"
  local staging="v0.${KUBERNETES_VERSION#v1.}"
  mkdir -p "$dir"
  # k8s.io/kubernetes replaces its staging modules with local paths, which a dependent module does
  # not see: require each one at the matching v0.x version instead.
  (cd "$dir" && rm -f go.mod go.sum && go mod init lab/kube-apiserver >/dev/null 2>&1 &&
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION" &&
    curl -fsS "$(go env GOPROXY | cut -d, -f1)/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod" |
      sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' |
      while read -r module; do go mod edit -replace="$module=$module@$staging"; done &&
    printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n' > deps.go &&
    go mod tidy >/dev/null 2>&1 || true)
  (cd "$dir" && GOBIN="$dir/gobin" timed "kube-apiserver $KUBERNETES_VERSION" go build -o "$out" k8s.io/kubernetes/cmd/kube-apiserver)
}

build_flux() {
  local versions
  versions=$(npx tsx -e '
    import("./components/flux/release.ts").then(({ FLUX_RELEASES, DEFAULT_FLUX_VERSION }) => {
      const c = FLUX_RELEASES[DEFAULT_FLUX_VERSION].controllers;
      for (const name of ["source-controller", "kustomize-controller", "image-reflector-controller", "image-automation-controller"]) console.log(name, c[name]);
    });')
  while read -r name version; do
    build_main "$bin/$name-$version" "github.com/fluxcd/$name" "$version" "github.com/fluxcd/$name" "github.com/fluxcd/$name/api@$version"
  done <<< "$versions"
}

case "${1:-all}" in
  etcd) build_etcd ;;
  kube-apiserver) build_kube_apiserver ;;
  flux) build_flux ;;
  all) build_etcd; build_kube_apiserver; build_flux ;;
  *) echo "usage: $0 [etcd|kube-apiserver|flux|all]" >&2; exit 2 ;;
esac
