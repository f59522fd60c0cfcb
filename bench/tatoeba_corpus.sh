# Sourced by the stories260K focus benches: the shared set-up. Needs $1 = BUILD_DIR (default
# build), $2 = N (default $default_n), $every and $min_words. Sets build, n, data, tmp (removed on
# exit) and model; writes $tmp/corpus.txt, N English sentences of ../shared/data/tatoeba_eng_fra
# (every $every-th line with $min_words+ words); exits 0 with a message without ../shared/data.
build="${1:-build}"
n="${2:-$default_n}"
data="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../shared/data"
[ -d "$data" ] || { echo "../shared/data is absent: nothing to measure"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), threads: ${ATTNSCOPE_THREADS:-default}"
awk -F'\t' -v n="$n" -v every="$every" -v min="$min_words" 'NR % every == 0 && split($1, w, " ") >= min && k < n { print $1; k++ }' \
  "$data/tatoeba_eng_fra/eng-fra.txt" >"$tmp/corpus.txt"
echo "corpus: $(wc -l <"$tmp/corpus.txt") sentences, $(wc -w <"$tmp/corpus.txt") words"
model="$data/model_stories260K_llama/stories260K.bin"
