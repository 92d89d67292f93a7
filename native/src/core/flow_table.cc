#include "flow_table.h"

namespace ls {

void FlowTable::Add(const UdpTuple& t) {
  Key k{t.srcIp, t.dstIp, t.srcPort, t.dstPort};
  auto it = flows_.find(k);
  if (it == flows_.end()) {
    if (flows_.size() >= kMaxFlows) {
      overflowed_++;
      return;
    }
    it = flows_.emplace(k, FlowCount{t, 0, 0}).first;
  }
  it->second.packets++;
  it->second.bytes += t.ipLength;
}

std::vector<FlowCount> FlowTable::Take() {
  std::vector<FlowCount> out;
  out.reserve(flows_.size());
  for (auto& entry : flows_) out.push_back(entry.second);
  flows_.clear();
  return out;
}

}  // namespace ls
