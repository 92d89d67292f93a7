// WinDivert 2.x user-mode API, declared here from its documented interface (windivert.h, 2.x) so the
// addon builds without the WinDivert SDK: WinDivert.dll is loaded at run time (windivert_loader.h).
// Only what capture mode uses. Layouts are fixed by the driver ABI; static_asserts pin them.
#pragma once

#include <windows.h>

#include <cstddef>
#include <cstdint>

namespace ls {
namespace windivert {

enum Layer : int {
  kLayerNetwork = 0,
  kLayerNetworkForward = 1,
  kLayerFlow = 2,
  kLayerSocket = 3,
  kLayerReflect = 4,
};

enum Flag : uint64_t {
  kFlagSniff = 0x0001,
  kFlagDrop = 0x0002,
  kFlagRecvOnly = 0x0004,
  kFlagSendOnly = 0x0008,
  kFlagNoInstall = 0x0010,
  kFlagFragments = 0x0020,
};

enum Shutdown : int { kShutdownRecv = 1, kShutdownSend = 2, kShutdownBoth = 3 };

constexpr unsigned kMtuMax = 40 + 0xFFFF;

struct DataNetwork {
  uint32_t IfIdx;
  uint32_t SubIfIdx;
};

struct DataFlow {
  uint64_t EndpointId;
  uint64_t ParentEndpointId;
  uint32_t ProcessId;
  uint32_t LocalAddr[4];   // host byte order; IPv4 as ::ffff:a.b.c.d, i.e. [0] = a.b.c.d, [1] = 0xFFFF
  uint32_t RemoteAddr[4];
  uint16_t LocalPort;      // host byte order
  uint16_t RemotePort;
  uint8_t Protocol;
};

struct Address {
  int64_t Timestamp;
  uint32_t Layer : 8;
  uint32_t Event : 8;
  uint32_t Sniffed : 1;
  uint32_t Outbound : 1;
  uint32_t Loopback : 1;
  uint32_t Impostor : 1;
  uint32_t IPv6 : 1;
  uint32_t IPChecksum : 1;
  uint32_t TCPChecksum : 1;
  uint32_t UDPChecksum : 1;
  uint32_t Reserved1 : 8;
  uint32_t Reserved2;
  union {
    DataNetwork Network;
    DataFlow Flow;
    uint8_t Reserved3[64];
  };
};

static_assert(sizeof(DataFlow) == 64, "WINDIVERT_DATA_FLOW is 57 bytes padded to 64");
static_assert(offsetof(DataFlow, Protocol) == 56, "Flow.Protocol at +56");
static_assert(offsetof(DataFlow, ProcessId) == 16, "Flow.ProcessId at +16");
static_assert(offsetof(DataFlow, LocalPort) == 52, "Flow.LocalPort at +52");
static_assert(offsetof(Address, Network) == 16, "the layer data starts at byte 16");
static_assert(sizeof(Address) == 80, "WINDIVERT_ADDRESS is 80 bytes");

// Function types, as exported by WinDivert.dll (x64: one calling convention).
using OpenFn = HANDLE (*)(const char* filter, int layer, int16_t priority, uint64_t flags);
using RecvFn = BOOL (*)(HANDLE handle, void* packet, UINT packetLen, UINT* recvLen, Address* address);
using SendFn = BOOL (*)(HANDLE handle, const void* packet, UINT packetLen, UINT* sendLen, const Address* address);
using ShutdownFn = BOOL (*)(HANDLE handle, int how);
using CloseFn = BOOL (*)(HANDLE handle);
using CalcChecksumsFn = BOOL (*)(void* packet, UINT packetLen, Address* address, uint64_t flags);

}  // namespace windivert
}  // namespace ls
