#include "frame_parser.h"

namespace ls {

namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint32_t kAfInet = 2;  // AF_INET is 2 on every platform that uses DLT_NULL

}  // namespace

bool ParseIpv4Udp(const uint8_t* p, size_t length, UdpTuple* out) {
  if (length < 20) return false;
  if ((p[0] >> 4) != 4) return false;
  size_t headerLength = static_cast<size_t>(p[0] & 0x0f) * 4;
  if (headerLength < 20) return false;
  if (p[9] != 17) return false;  // UDP
  uint16_t fragment = Be16(p + 6);
  if ((fragment & 0x1fff) != 0) return false;  // a later fragment: no UDP header
  uint16_t total = Be16(p + 2);
  if (total < headerLength + 8) return false;
  if (length < headerLength + 8) return false;  // snaplen must keep the UDP ports
  const uint8_t* udp = p + headerLength;
  out->srcIp = Be32(p + 12);
  out->dstIp = Be32(p + 16);
  out->srcPort = Be16(udp);
  out->dstPort = Be16(udp + 2);
  out->ipLength = total;
  return true;
}

bool ParseUdpFrame(int linkType, const uint8_t* f, size_t length, UdpTuple* out) {
  switch (linkType) {
    case kLinkNull:
    case kLinkLoop: {
      if (length < 4) return false;
      uint32_t family = linkType == kLinkLoop ? Be32(f) : (static_cast<uint32_t>(f[0]) | (f[1] << 8) |
                                                            (f[2] << 16) | (static_cast<uint32_t>(f[3]) << 24));
      // DLT_NULL is host order of the capturing machine: accept either order.
      if (family != kAfInet && family != (kAfInet << 24)) return false;
      return ParseIpv4Udp(f + 4, length - 4, out);
    }
    case kLinkEthernet: {
      if (length < 14) return false;
      size_t offset = 12;
      uint16_t type = Be16(f + offset);
      for (int tags = 0; (type == kEtherVlan || type == kEtherQinQ) && tags < 2; tags++) {
        offset += 4;
        if (length < offset + 2) return false;
        type = Be16(f + offset);
      }
      offset += 2;
      if (type != kEtherIpv4) return false;
      return ParseIpv4Udp(f + offset, length - offset, out);
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawLinktype:
    case kLinkIpv4:
      return ParseIpv4Udp(f, length, out);
    case kLinkLinuxSll:
      if (length < 16 || Be16(f + 14) != kEtherIpv4) return false;
      return ParseIpv4Udp(f + 16, length - 16, out);
    case kLinkLinuxSll2:
      if (length < 20 || Be16(f) != kEtherIpv4) return false;
      return ParseIpv4Udp(f + 20, length - 20, out);
    default:
      return false;
  }
}

}  // namespace ls
