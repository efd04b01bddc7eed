#!/bin/sh
# Container entry point: `start` (the default) runs the node on /data, binding HTTP and libp2p on every interface of
# the container; any other arguments are passed to `mochila` as they are (e.g. `init --dir /data ...`, `backup ...`).
set -eu
MOCHILA=/opt/mochila/node_modules/.bin/mochila
if [ "${1:-start}" = "start" ]; then
  [ $# -gt 0 ] && shift
  if [ ! -f /data/node.json ]; then
    echo "mochila: /data holds no node yet; create it first, e.g.:" >&2
    echo "  docker run --rm -it -v <volume>:/data mochila-registry init --dir /data --name \"Universidad de Ejemplo\" --country MX" >&2
    exit 2
  fi
  exec "$MOCHILA" start --dir /data --http-host 0.0.0.0 --http-port "${MOCHILA_HTTP_PORT}" --p2p-port "${MOCHILA_P2P_PORT}" "$@"
fi
exec "$MOCHILA" "$@"
