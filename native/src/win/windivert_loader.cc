#include "windivert_loader.h"

#include <vector>

namespace ls {

namespace {

WinDivertLibrary g_library;
HMODULE g_module = nullptr;

std::wstring Widen(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), &out[0], n);
  return out;
}

template <typename Fn>
bool Resolve(HMODULE module, const char* name, Fn* out, std::string* error) {
  FARPROC p = GetProcAddress(module, name);
  if (p == nullptr) {
    *error = std::string("WinDivert.dll has no ") + name + " (" + Win32ErrorText(GetLastError()) + ")";
    return false;
  }
  *out = reinterpret_cast<Fn>(reinterpret_cast<void*>(p));
  return true;
}

}  // namespace

std::string Win32ErrorText(DWORD code) {
  char buffer[512] = {0};
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0, buffer,
                           sizeof buffer, nullptr);
  while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r' || buffer[n - 1] == ' ')) buffer[--n] = '\0';
  return "error " + std::to_string(code) + (n > 0 ? std::string(": ") + buffer : std::string());
}

const WinDivertLibrary* LoadWinDivert(const std::string& dllPath, std::string* error) {
  if (g_module != nullptr) return &g_library;
  // LOAD_WITH_ALTERED_SEARCH_PATH: WinDivert.dll finds WinDivert64.sys next to itself.
  HMODULE module = LoadLibraryExW(Widen(dllPath).c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (module == nullptr) {
    *error = "LoadLibraryW(" + dllPath + ") failed: " + Win32ErrorText(GetLastError());
    return nullptr;
  }
  WinDivertLibrary lib;
  if (!Resolve(module, "WinDivertOpen", &lib.Open, error) || !Resolve(module, "WinDivertRecv", &lib.Recv, error) ||
      !Resolve(module, "WinDivertSend", &lib.Send, error) ||
      !Resolve(module, "WinDivertShutdown", &lib.Shutdown, error) ||
      !Resolve(module, "WinDivertClose", &lib.Close, error) ||
      !Resolve(module, "WinDivertHelperCalcChecksums", &lib.CalcChecksums, error)) {
    FreeLibrary(module);
    return nullptr;
  }
  g_library = lib;
  g_module = module;
  return &g_library;
}

}  // namespace ls
