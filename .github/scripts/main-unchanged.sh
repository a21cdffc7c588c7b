#!/usr/bin/env bash
# Refuses, changing nothing, when main has moved on since this run's commit ($GITHUB_SHA) in any of
# the paths the run reads ($KUBECDN_READS: one pattern a line, the workflow's push paths, in GitHub's
# glob syntax). A re-run uses its original commit (GitHub's "Re-running workflows and jobs"), so an
# old run would otherwise apply that commit over newer ones; the run of the newer commit converges.
# A newer commit that touches none of those paths starts no run of its own (the push paths filter),
# so this run goes on: what it applies is what main holds.
set -euo pipefail

: "${GITHUB_SHA:?}" "${KUBECDN_READS:?one path pattern a line}"
pathspecs=()
while IFS= read -r pattern; do
  [ -n "$pattern" ] && pathspecs+=(":(glob)$pattern")
done <<<"$KUBECDN_READS"

# Main as it is now. The checkout keeps no credentials, so the job's token reaches git through gh.
depth=()
[ "$(git rev-parse --is-shallow-repository)" = true ] && depth=(--depth=1)
git -c credential.helper= -c 'credential.helper=!gh auth git-credential' \
  fetch --quiet --no-tags "${depth[@]}" origin +refs/heads/main:refs/remotes/origin/main
main=$(git rev-parse refs/remotes/origin/main)

status=0
git diff --quiet "$GITHUB_SHA" "$main" -- "${pathspecs[@]}" || status=$?
case $status in
  0)
    if [ "$main" = "$GITHUB_SHA" ]; then
      echo "$GITHUB_SHA is the head of main"
    else
      echo "main is at $main, with nothing this run reads changed since $GITHUB_SHA: going on"
    fi
    ;;
  1)
    echo "::error::main has moved on since $GITHUB_SHA (it is at $main) in what this run reads, so nothing was changed: going on would act on an older commit than main's. A push of those paths has a run of its own; otherwise, run the workflow again on main."
    git diff --name-only "$GITHUB_SHA" "$main" -- "${pathspecs[@]}" | sed 's/^/  changed on main: /'
    exit 1
    ;;
  *)
    echo "::error::cannot compare $GITHUB_SHA with main ($main): nothing was changed"
    exit 1
    ;;
esac
