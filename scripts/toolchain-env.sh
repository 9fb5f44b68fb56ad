# Source me (bash): `source scripts/toolchain-env.sh`. Puts the Pulumi toolchain built by
# scripts/bootstrap-toolchain.sh first on PATH and points Pulumi at its own PULUMI_HOME
# (plugin cache) with update checks and plugin downloads turned off. It builds nothing.
# Returns 1, after exporting what there is, when the toolchain for the pins in
# toolchain/versions.env is missing or incomplete.

# shellcheck source=../toolchain/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../toolchain/lib.sh" || return 1
tc_load_versions || return 1

export LANGGRAPH_TOOLCHAIN_DIR=$TC_DIR
export PULUMI_HOME=$TC_DIR/pulumi-home
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
case ":$PATH:" in
  *":$TC_DIR/bin:"*) ;;
  *) export PATH="$TC_DIR/bin:$PATH" ;;
esac

if [ ! -f "$TC_DIR/manifest" ]; then
  echo "toolchain-env: the Pulumi toolchain $TC_KEY is not (fully) installed in $TC_DIR:" \
    "run scripts/bootstrap-toolchain.sh" >&2
  return 1
fi
