#!/usr/bin/env bash
# Builds the lab's programs from their Go modules through the Go module proxy into the git-ignored
# .cache/lab/bin: etcd, kube-apiserver, kube-controller-manager and kube-scheduler, KWOK (fake nodes),
# the Flux controllers at the versions the library pins, the Pulumi CLI and its kubernetes provider.
#
# Each program is built from its own small module under lab/modules/<program>/, whose committed
# go.mod and go.sum pin every dependency, so the build is reproducible and every download is checked
# against a committed hash (the checksum database does not know some Flux controller releases).
# A binary is cached under a name keyed by its module's go.mod and go.sum (and its linker flags, if
# any), so a warm run builds nothing.
#
# Usage: lab/build.sh [all|etcd|kubernetes|flux|pulumi|<program>]      build (default all)
#        lab/build.sh pin [all|etcd|kubernetes|flux|pulumi|<program>]  regenerate lab/modules/ after a version change
set -euo pipefail
cd "$(dirname "$0")/.."
source lab/versions.env
project="$PWD"
root="$project/.cache/lab"
bin="$root/bin"
mkdir -p "$bin" "$root/logs"
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "the lab builds its programs with Go (https://go.dev/dl/); go is not on PATH" >&2; exit 1; }
export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
proxy="$(go env GOPROXY | cut -d, -f1)"

mode=build
if [ "${1:-}" = pin ]; then
  mode=pin
  shift
fi

# Program name, Go module, version, main package, extra modules to require (at the same version
# unless given as module@version).
programs() {
  echo "etcd go.etcd.io/etcd/server/v3 $ETCD_VERSION go.etcd.io/etcd/server/v3"
  for component in kube-apiserver kube-controller-manager kube-scheduler; do
    echo "$component k8s.io/kubernetes $KUBERNETES_VERSION k8s.io/kubernetes/cmd/$component"
  done
  echo "kwok sigs.k8s.io/kwok $KWOK_VERSION sigs.k8s.io/kwok/cmd/kwok"
  # The CLI's module replaces the sdk with its local copy: require the sdk of the same release.
  echo "pulumi github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION github.com/pulumi/pulumi/pkg/v3/cmd/pulumi github.com/pulumi/pulumi/sdk/v3"
  # The provider's module replaces its sdk with its local copy: require the sdk of its release.
  echo "pulumi-resource-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4 $PULUMI_KUBERNETES_MODULE_VERSION github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_KUBERNETES_VERSION"
  npx --no-install tsx -e '
    import("./components/flux/release.ts").then(({ FLUX_RELEASES, DEFAULT_FLUX_VERSION }) => {
      const pinned = FLUX_RELEASES[DEFAULT_FLUX_VERSION].controllers;
      for (const name of ["source-controller", "kustomize-controller", "image-reflector-controller", "image-automation-controller", "notification-controller"]) {
        const module = `github.com/fluxcd/${name}`;
        console.log(name, module, pinned[name], module, `${module}/api`);
      }
    });'
}

# Writes lab/modules/<program>/go.{mod,sum} requiring module@version and its main package as a tool.
pin() { # program, module, version, package, extra modules...
  local program=$1 module=$2 version=$3 pkg=$4; shift 4
  local dir="$project/lab/modules/$program"
  rm -rf "$dir" && mkdir -p "$dir"
  cd "$dir"
  go mod init "lab/$program" >/dev/null 2>&1 && go mod edit -go=1.24.0
  local nosumdb=""
  if ! curl -fs -o /dev/null "$proxy/sumdb/sum.golang.org/lookup/$module@$version"; then
    echo "warning: sum.golang.org has no $module@$version; its hash is pinned on first download into go.sum" >&2
    nosumdb=$module
  fi
  local upstream_mod
  upstream_mod=$(curl -fsS "$proxy/$module/@v/$version.mod")
  if [ "$module" = k8s.io/kubernetes ]; then
    # k8s.io/kubernetes replaces its staging modules with local paths, which a dependent module does
    # not see: require each one at the matching v0.x version instead.
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' <<< "$upstream_mod" |
      while read -r staging; do go mod edit -replace="$staging=$staging@v0.${version#v1.}"; done
  fi
  # A dependency's replace directives are ignored, so carry over those that pin other versions
  # (e.g. Flux's go-digest and kustomize); its local ones are covered by the extra requirements.
  sed -n -e 's#^replace \([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$#\1=\2@\3#p' -e 's#^\s\+\([^ ]*\) => \([^ .][^ ]*\) \(v[^ ]*\)$#\1=\2@\3#p' <<< "$upstream_mod" |
    while read -r replacement; do go mod edit -replace="$replacement"; done
  local extras=()
  for extra in "$@"; do
    case "$extra" in
      *@*) extras+=("$extra") ;;
      *) extras+=("$extra@$version") ;;
    esac
  done
  if [ ${#extras[@]} -gt 0 ]; then
    GOFLAGS="$GOFLAGS -mod=mod" GONOSUMDB="$nosumdb" go get "${extras[@]}"
  fi
  GOFLAGS="$GOFLAGS -mod=mod" GONOSUMDB="$nosumdb" go get -tool "$pkg@$version"
  cd "$project"
  # Fails here, not at build time, if go.sum misses a hash the build needs.
  prepare_source "$program" "$dir" "$module" "$version" "$pkg"
  (cd "$src" && go list -mod=readonly -deps "$target" >/dev/null)
  echo "pinned $program: $module@$version ($(wc -l < "$dir/go.sum") go.sum lines)"
}

# Linker flags of a program: the version it reports, as its release build sets it.
ldflags() { # program, version
  case "$1" in
    pulumi) echo "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$2" ;;
    pulumi-resource-kubernetes) echo "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=v$PULUMI_KUBERNETES_VERSION" ;;
  esac
}

# Sets src and target: the directory to build a program in, and its main package there.
prepare_source() { # program, module dir, module, version, package
  src=$2 target=$5
  if [ "$1" = pulumi-resource-kubernetes ]; then
    src="$root/work/$1" target=.
    kubernetes_provider_source "$2" "$3" "$4" "$5" "$src"
  fi
}

# The provider's module lacks the files its main package embeds (the schema stamped with the release
# version, the terraform mapping), which its release makes with go generate before building. Copy the
# main package beside the pinned go.mod and go.sum, outside the read-only module cache, and make them
# there with the module's own generate.go, from the module's schema.json and terraform-mapping.json.
kubernetes_provider_source() { # module dir, module, version, package, work dir
  local source
  source=$(cd "$1" && go mod download -json "$2@$3" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$5" && mkdir -p "$5"
  cp "$1/go.mod" "$1/go.sum" "$source/${4#"$2"/}"/* "$5/"
  chmod -R u+w "$5"
  (cd "$5" && VERSION=$PULUMI_KUBERNETES_VERSION go run -mod=readonly generate.go)
}

build() { # program, module, version, package
  local program=$1 module=$2 version=$3 pkg=$4
  local dir="$project/lab/modules/$program"
  if ! grep -qE "^\s*(require )?$module $version( |$)" "$dir/go.mod" 2>/dev/null; then
    echo "lab/modules/$program does not require $module $version; run: bash lab/build.sh pin $program" >&2
    exit 1
  fi
  local flags key out
  flags=$(ldflags "$program" "$version")
  # The provider's generated files derive from its pinned module and the version in its flags.
  key=$({ cat "$dir/go.mod" "$dir/go.sum"; [ -z "$flags" ] || echo "$flags"; } | sha256sum | cut -c1-12)
  out="$bin/$program-$version-$key"
  if [ ! -x "$out" ]; then
    local started=$SECONDS src target
    prepare_source "$program" "$dir" "$module" "$version" "$pkg"
    (cd "$src" && nice -n 10 /usr/bin/env time -f "$program $version: %e s, peak %M KiB" -a -o "$root/logs/build-times.txt" \
      go build -mod=readonly -ldflags="$flags" -o "$out.tmp" "$target" && mv "$out.tmp" "$out")
    echo "built $program $version in $((SECONDS - started)) s"
  fi
  ln -sfn "$(basename "$out")" "$bin/$program"
  if [ "$program" = kwok ]; then
    kwok_stages "$dir" "$version"
  fi
}

# The kwok binary has no default stages (kwokctl embeds them): keep the module's own fast node and
# pod stages beside the binary, as one config file.
kwok_stages() { # module dir, version
  local stages="$bin/kwok-stages-$2.yaml"
  if [ ! -s "$stages" ]; then
    local source
    source=$(cd "$1" && go mod download -json "sigs.k8s.io/kwok@$2" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
    for stage in node/fast/node-initialize node/heartbeat/node-heartbeat pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
      echo "---"
      cat "$source/kustomize/stage/$stage.yaml"
    done > "$stages.tmp"
    mv "$stages.tmp" "$stages"
  fi
  ln -sfn "$(basename "$stages")" "$bin/kwok-stages.yaml"
}

target=${1:-all}
matched=0
while read -r program module version pkg extras; do
  case "$target/$program" in
    all/* | etcd/etcd | kubernetes/kube-* | kubernetes/kwok | flux/*-controller | pulumi/pulumi* | "$program/$program") ;;
    *) continue ;;
  esac
  matched=1
  if [ "$mode" = pin ]; then
    # shellcheck disable=SC2086 # extras is a list of module paths
    pin "$program" "$module" "$version" "$pkg" $extras
  else
    build "$program" "$module" "$version" "$pkg"
  fi
done < <(programs)
if [ "$matched" = 0 ]; then
  echo "usage: $0 [pin] [all|etcd|kubernetes|flux|pulumi|<program>]" >&2
  exit 2
fi
