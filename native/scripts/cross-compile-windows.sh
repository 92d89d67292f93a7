#!/usr/bin/env bash
# Cross-compiles the Windows addon with MinGW-w64 (Debian: g++-mingw-w64-x86-64) and checks the result:
# a PE DLL that exports napi_register_module_v1, imports the Node-API from node.exe and does NOT import
# WinDivert.dll (loaded at run time). Output: native/build/win32-x64/lightspeed_native.node
#
# The import library for node.exe comes from node-api-headers' .def files. Built this way the addon
# loads in node.exe; inside Electron a Windows build made by node-gyp (MSVC, with its delay-load hook)
# is the one to ship.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

triple=x86_64-w64-mingw32
# The posix thread model: node-addon-api's thread-safe functions need std::mutex.
cxx="${CXX_WIN:-}"
if [ -z "$cxx" ]; then
  if command -v "${triple}-g++-posix" >/dev/null 2>&1; then cxx="${triple}-g++-posix"; else cxx="${triple}-g++"; fi
fi
dlltool="${triple}-dlltool"
objdump="${triple}-objdump"
for tool in "$cxx" "$dlltool" "$objdump"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "cross-compile-windows: $tool not found (apt-get install g++-mingw-w64-x86-64)" >&2
    exit 2
  fi
done

headers="$(node -p "require('path').dirname(require.resolve('node-api-headers/package.json'))")"
addon_api="$(node -p "require('node-addon-api').include_dir")"
out="$here/build/win32-x64"
obj="$out/obj"
mkdir -p "$obj"

# One import library for both halves of the Node-API (both .def files say NAME NODE.EXE).
{
  echo "LIBRARY node.exe"
  echo "EXPORTS"
  grep -hv -e '^NAME' -e '^EXPORTS' "$headers/def/js_native_api.def" "$headers/def/node_api.def"
} >"$obj/node_api.def"
"$dlltool" -d "$obj/node_api.def" -D node.exe -l "$obj/libnode_api.a"

sources=(src/addon.cc src/core/sys_error.cc src/win/windivert_binding.cc src/win/windivert_loader.cc)
"$cxx" -std=c++17 -O2 -shared -o "$out/lightspeed_native.node" \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -DBUILDING_NODE_EXTENSION \
  -DWIN32_LEAN_AND_MEAN -DNOMINMAX -D_WIN32_WINNT=0x0A00 \
  -I "$headers/include" -I "$addon_api" \
  -Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type \
  "${sources[@]}" "$obj/libnode_api.a" \
  -static-libgcc -static-libstdc++ -static -Wl,--no-undefined

dump="$("$objdump" -p "$out/lightspeed_native.node")"
fail() {
  echo "cross-compile-windows: $1" >&2
  exit 1
}
grep -q 'file format pei-x86-64' <<<"$dump" || fail "not a PE32+ x86-64 image"
grep -qP '^\tDLL$' <<<"$dump" || fail "not a DLL (no IMAGE_FILE_DLL characteristic)"
grep -qP '^\s*\[\s*\d+\] napi_register_module_v1$' <<<"$dump" || fail "does not export napi_register_module_v1"
grep -qi 'DLL Name: node.exe' <<<"$dump" || fail "does not import from node.exe"
if grep -qi 'DLL Name: WinDivert' <<<"$dump"; then fail "imports WinDivert.dll (it must be loaded at run time)"; fi
echo "cross-compile-windows: ok: $out/lightspeed_native.node"
