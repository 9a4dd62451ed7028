#!/usr/bin/env bash
# Usage: tools/dist_launch.sh SCRIPT NPROC [SCRIPT args...]
# Runs tools/SCRIPT under torchrun with NPROC processes on this node (one per GPU; on a
# CPU-only machine NPROC gloo processes). NNODES, NODE_RANK, MASTER_ADDR and PORT come from
# the environment, as in mmdet's dist scripts. Used by dist_train.sh and dist_test.sh.
set -eo pipefail
TOOLS="$(cd "$(dirname "$0")" && pwd)"
SCRIPT=$1
NPROC=$2
PYTHONPATH="$TOOLS/..":$PYTHONPATH exec torchrun \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$TOOLS/$SCRIPT" "${@:3}"
