#!/usr/bin/env bash
# Commits only the given paths (several people share one work tree): dev/commit.sh "msg" PATH...
# Serialized with a lock so parallel commits do not collide on .git/index.lock.
set -euo pipefail
msg="$1"; shift
cd "$(git rev-parse --show-toplevel)"
exec 9>/tmp/attnscope-git.lock
flock 9
git add -- "$@"
git commit -q -m "$msg" --only -- "$@"
git log --oneline -1
