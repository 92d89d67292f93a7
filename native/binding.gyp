{
  "variables": {
    "ls_has_pcap%": "<!(node scripts/has-pcap.mjs)"
  },
  "targets": [
    {
      "target_name": "lightspeed_native",
      "sources": ["src/addon.cc", "src/core/sys_error.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        [
          "OS=='linux'",
          {
            "sources": [
              "src/core/fd_poll.cc",
              "src/core/frame_parser.cc",
              "src/core/flow_table.cc",
              "src/linux/divert_socket.cc",
              "src/linux/divert_binding.cc",
              "src/linux/privileges.cc",
              "src/linux/flow_watcher.cc"
            ],
            "conditions": [
              ["ls_has_pcap==1", { "defines": ["LS_HAVE_PCAP=1"], "libraries": ["-lpcap"] }]
            ]
          }
        ],
        [
          "OS=='win'",
          {
            "sources": ["src/win/windivert_binding.cc", "src/win/windivert_loader.cc"],
            "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
          }
        ]
      ]
    }
  ]
}
