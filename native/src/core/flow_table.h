// Per 5-tuple packet/byte counts since the last Take(), bounded: past kMaxFlows distinct tuples,
// new tuples are counted as overflow instead of growing the map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "frame_parser.h"

namespace ls {

struct FlowCount {
  UdpTuple tuple;
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

class FlowTable {
 public:
  static constexpr size_t kMaxFlows = 4096;

  void Add(const UdpTuple& t);
  /** The counts since the last Take, and clears them. */
  std::vector<FlowCount> Take();
  uint64_t overflowed() const { return overflowed_; }

 private:
  struct Key {
    uint32_t srcIp, dstIp;
    uint16_t srcPort, dstPort;
    bool operator==(const Key& o) const {
      return srcIp == o.srcIp && dstIp == o.dstIp && srcPort == o.srcPort && dstPort == o.dstPort;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t a = (static_cast<uint64_t>(k.srcIp) << 32) | k.dstIp;
      uint64_t b = (static_cast<uint64_t>(k.srcPort) << 16) | k.dstPort;
      return static_cast<size_t>((a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full));
    }
  };
  std::unordered_map<Key, FlowCount, KeyHash> flows_;
  uint64_t overflowed_ = 0;
};

}  // namespace ls
