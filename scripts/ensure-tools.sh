#!/usr/bin/env bash
# What `npm test` needs beyond node_modules, checked before any test runs (npm's pretest step, and
# .ci/run through it). Debian packages are installed when this machine lets us (root, or sudo without
# a password); otherwise it stops at once with the exact command to run. It never skips a test.
set -euo pipefail

# The real peers the integration tests run, by command, with the Debian package that provides each.
debian=(
  nginx:nginx             # the edge, with its exact rendered configuration
  shellcheck:shellcheck   # the workflows' run scripts
  jq:jq                   # the workflows' run scripts use it, and their tests run them
  prometheus:prometheus   # demand counts meet here for the autoscaler
  promtool:prometheus     # writes hours of history for the autoscaler tests
  mtail:mtail             # turns the edge's access log into counters
  vmagent:victoria-metrics # remote-writes signed with SigV4, as the metrics agent does
)
# On the machine image, not from Debian: say what is missing and where it comes from.
image=(
  "git:git (apt-get install git)"
  "terraform:Terraform 1.11 or newer (developer.hashicorp.com/terraform/install)"
  "kubectl:kubectl, for kustomize (kubernetes.io/docs/tasks/tools)"
  "moto_server:moto's server, a Route53-compatible endpoint (pip install 'moto[server]')"
)

problems=()

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  problems+=("Node.js 22 or newer is needed (this is $(node --version)); bash .ci/run fetches one from the npm registry, or: nvm install 22")
fi

missing=()
for entry in "${debian[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  install=(apt-get install -y -qq "${missing[@]}")
  if ! command -v apt-get >/dev/null 2>&1; then
    problems+=("missing: ${missing[*]} (install them with your system's package manager)")
  elif [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    echo "installing ${missing[*]} from Debian's packages for the tests"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
  else
    problems+=("missing: ${missing[*]}; run: sudo apt-get update && sudo ${install[*]}")
  fi
fi

for entry in "${image[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || problems+=("missing: ${entry#*:}")
done

# The AWS provider, from a local plugin mirror: the stack is validated and planned offline against it.
if [ -z "${KUBECDN_TF_PLUGIN_DIR:-}" ]; then
  provider=$(find / -maxdepth 5 -type d -path '*registry.terraform.io/hashicorp/aws' 2>/dev/null | head -n 1 || true)
  KUBECDN_TF_PLUGIN_DIR=${provider%/registry.terraform.io/hashicorp/aws}
fi
if [ ! -d "${KUBECDN_TF_PLUGIN_DIR}/registry.terraform.io/hashicorp/aws" ]; then
  problems+=("no local mirror of the hashicorp/aws provider (a folder holding registry.terraform.io/hashicorp/aws): set KUBECDN_TF_PLUGIN_DIR to it, or fill one with: terraform providers mirror DIR (in terraform/)")
fi

if [ ${#problems[@]} -gt 0 ]; then
  echo "npm test cannot run on this machine yet:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
