#!/usr/bin/env bash
# The preview report of every stack (or the given ones), as CI posts it on a pull request:
# run it before pushing.
#
#   scripts/preview-report.sh                 # every stacks/Pulumi.<stack>.yaml
#   scripts/preview-report.sh dev acme-prod   # only these stacks
#   scripts/preview-report.sh -o report.md dev
#
# For each stack it runs `pulumi preview --stack <stack> --json` in the project directory
# (the real CLI, the project's .venv), keeps the JSON and the CLI's log in
# .work/preview-report/, then renders one Markdown report with `python -m preview_report`.
# The backend and secrets come from your environment, as for any `pulumi` command:
# PULUMI_BACKEND_URL (or `pulumi login`), PULUMI_CONFIG_PASSPHRASE (or a cloud secrets
# provider's credentials), and the control-plane API key in the stack config
# (`dataplane:apiKey`; LANGGRAPH_CONTROL_PLANE_API_KEY is the providers' fallback).
#
# Options:
#   -o FILE        also write the report to FILE (it is always printed, and kept in
#                  .work/preview-report/report.md)
#   --keep-going   run the previews even when the toolchain looks incomplete (each failure
#                  then shows in the report, with the end of the CLI's log)
#   -h, --help     this text
# PREVIEW_REPORT_WORK_DIR moves .work/preview-report elsewhere.
#
# Exit status: 0 when every preview ran, 1 when one failed (the report says which and why),
# 2 on a usage error, 3 when the toolchain is incomplete (nothing was run).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

out=""
keep_going=false
stacks=()
while [ $# -gt 0 ]; do
  case $1 in
    -o) [ $# -ge 2 ] || { echo "preview-report: -o needs a file" >&2; exit 2; }; out=$2; shift 2 ;;
    --keep-going) keep_going=true; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "preview-report: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) stacks+=("$1"); shift ;;
  esac
done

if [ ${#stacks[@]} -eq 0 ]; then
  for f in stacks/Pulumi.*.yaml; do
    [ -e "$f" ] || continue
    s=${f#stacks/Pulumi.}
    stacks+=("${s%.yaml}")
  done
fi
if [ ${#stacks[@]} -eq 0 ]; then
  echo "preview-report: no stacks/Pulumi.<stack>.yaml here" >&2
  exit 2
fi
for s in "${stacks[@]}"; do
  [ -f "stacks/Pulumi.$s.yaml" ] || { echo "preview-report: no stack file stacks/Pulumi.$s.yaml" >&2; exit 2; }
done

PYTHON=${PREVIEW_REPORT_PYTHON:-$ROOT/.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
  echo "preview-report: no $PYTHON: run scripts/setup-venv.sh first" >&2
  exit 3
fi

# The project's pinned toolchain, when it was bootstrapped (it returns 1 if incomplete:
# the checks below say what is missing).
if [ -z "${PREVIEW_REPORT_NO_TOOLCHAIN_ENV:-}" ] && [ -f scripts/toolchain-env.sh ]; then
  # shellcheck source=/dev/null
  source scripts/toolchain-env.sh >/dev/null 2>&1 || true
fi

problems=()
if ! command -v pulumi >/dev/null 2>&1; then
  problems+=("no \`pulumi\` CLI on PATH (run scripts/bootstrap-toolchain.sh, or install the official CLI)")
else
  cli_dir=$(dirname "$(command -v pulumi)")
  if ! command -v pulumi-language-python >/dev/null 2>&1 && [ ! -x "$cli_dir/pulumi-language-python" ]; then
    problems+=("no \`pulumi-language-python\` language host: \`pulumi preview\` cannot run this Python project")
  fi
  if [ "${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-}" = "true" ]; then
    plugins=${PULUMI_HOME:-$HOME/.pulumi}/plugins
    for p in kubernetes random; do
      compgen -G "$plugins/resource-$p-v*" >/dev/null ||
        problems+=("no \`$p\` resource plugin in $plugins (automatic plugin downloads are off)")
    done
  fi
fi
if [ ${#problems[@]} -gt 0 ]; then
  {
    echo "preview-report: the Pulumi toolchain is incomplete:"
    for p in "${problems[@]}"; do echo "  - $p"; done
  } >&2
  if ! $keep_going; then
    cat >&2 <<'EOF'
No preview was run. Fix the toolchain (scripts/bootstrap-toolchain.sh; docs/toolchain.md),
or install the official Pulumi CLI, which bundles the language host and downloads plugins.
To render previews captured elsewhere (e.g. CI's JSON):
  .venv/bin/python -m preview_report <stack>=<preview.json> ...
Run with --keep-going to try anyway: each failure then shows in the report.
EOF
    exit 3
  fi
fi

work=${PREVIEW_REPORT_WORK_DIR:-.work/preview-report}
mkdir -p "$work"
echo "preview-report: backend ${PULUMI_BACKEND_URL:-(the one of \`pulumi login\`)}" >&2
args=()
logs=()
failed=0
for s in "${stacks[@]}"; do
  echo "preview-report: pulumi preview --stack $s --json" >&2
  pulumi preview --stack "$s" --json --non-interactive >"$work/$s.json" 2>"$work/$s.log"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "preview-report:   failed (exit $rc); see $work/$s.log" >&2
    failed=1
  fi
  args+=("$s=$work/$s.json")
  logs+=(--log "$s=$work/$s.log")
done

title="Pulumi preview report ($(git rev-parse --short HEAD 2>/dev/null || echo 'working tree'))"
"$PYTHON" -m preview_report --title "$title" "${logs[@]}" -o "$work/report.md" "${args[@]}" || exit 1
[ -z "$out" ] || cp "$work/report.md" "$out"
cat "$work/report.md"
echo "preview-report: report in $work/report.md${out:+ and $out}" >&2
exit $failed
