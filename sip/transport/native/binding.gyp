# The SIP UDP transport's native I/O (docs/sip-native-udp.md). Built by `npm run build:native`
# (node-gyp, headers from nodedir); UdpTransport uses node:dgram without it.
{
  "targets": [
    {
      "target_name": "switchboard_sip_udp",
      "sources": ["sip_udp.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "conditions": [["OS != 'linux'", {"type": "none"}]]
    }
  ]
}
