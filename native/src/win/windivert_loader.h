// Loads WinDivert.dll at run time (LoadLibraryW + GetProcAddress): the addon imports nothing from it,
// so it loads (and the rest of the app works) where WinDivert is absent.
#pragma once

#include <string>

#include "windivert_api.h"

namespace ls {

struct WinDivertLibrary {
  windivert::OpenFn Open = nullptr;
  windivert::RecvFn Recv = nullptr;
  windivert::SendFn Send = nullptr;
  windivert::ShutdownFn Shutdown = nullptr;
  windivert::CloseFn Close = nullptr;
  windivert::CalcChecksumsFn CalcChecksums = nullptr;
};

/**
 * Loads the DLL at `dllPath` (UTF-8) once per process; later calls reuse it. On failure returns null
 * and sets `error` ("LoadLibraryW(<path>) failed: error 126", ...).
 */
const WinDivertLibrary* LoadWinDivert(const std::string& dllPath, std::string* error);

/** "error <n>: <system message>" for a Win32 error code. */
std::string Win32ErrorText(DWORD code);

}  // namespace ls
