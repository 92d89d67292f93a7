// Link-layer frame → IPv4/UDP 5-tuple, for the passive flow watcher. Pure: bytes in, result out;
// any malformed or short frame is rejected, never read past `length`.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ls {

// pcap link types handled (values from pcap/dlt.h; LINKTYPE_ values where they differ).
enum LinkType : int {
  kLinkNull = 0,        // DLT_NULL: 4-byte address family in host byte order
  kLinkEthernet = 1,    // DLT_EN10MB
  kLinkRaw = 12,        // DLT_RAW on Linux and most BSDs
  kLinkRawOpenBsd = 14, // DLT_RAW on OpenBSD
  kLinkRawLinktype = 101,  // LINKTYPE_RAW (as written in files)
  kLinkLoop = 108,      // DLT_LOOP: like NULL, network byte order
  kLinkLinuxSll = 113,  // DLT_LINUX_SLL
  kLinkIpv4 = 228,      // DLT_IPV4
  kLinkLinuxSll2 = 276, // DLT_LINUX_SLL2
};

struct UdpTuple {
  uint32_t srcIp;  // host order
  uint16_t srcPort;
  uint32_t dstIp;
  uint16_t dstPort;
  uint32_t ipLength;  // the IPv4 total length (header + UDP header + payload)
};

/** True when `frame` (of link type `linkType`) carries an IPv4 UDP datagram (first fragment or whole). */
bool ParseUdpFrame(int linkType, const uint8_t* frame, size_t length, UdpTuple* out);

/** True when `packet` starts with an IPv4 header carrying UDP; fills `out`. */
bool ParseIpv4Udp(const uint8_t* packet, size_t length, UdpTuple* out);

}  // namespace ls
