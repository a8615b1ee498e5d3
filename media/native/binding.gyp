# The native UDP I/O addon of the media engine (docs/media/native-io.md). Built by
# `npm run build:native` (node-gyp, headers from nodedir); the JS transport is used without it.
{
  "targets": [
    {
      "target_name": "switchboard_udp",
      "sources": ["udp_io.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "conditions": [["OS != 'linux'", {"type": "none"}]]
    }
  ]
}
