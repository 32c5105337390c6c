#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "dhcpsim/net/segment.hpp"

using dhcpsim::net::ArpHolders;
using dhcpsim::net::IfaceId;

// The per-address ARP holder record behaves like a map iface -> MAC under any sequence of
// adds, MAC changes and removals, through its one-holder, many-holder and mapped forms,
// and all_hold(mac) says whether every holder caches exactly that MAC.
RC_GTEST_PROP(ArpHolders, BehavesLikeAMap, ()) {
  ArpHolders h;
  std::map<uint32_t, uint64_t> model;
  // Up to 40 interfaces (past the 16 where positions go through a map), 3 MACs.
  const auto ops = *rc::gen::container<std::vector<std::tuple<uint8_t, uint8_t, uint8_t>>>(
      rc::gen::tuple(rc::gen::inRange<uint8_t>(0, 3), rc::gen::inRange<uint8_t>(0, 40), rc::gen::inRange<uint8_t>(0, 3)));
  for (const auto& [op, iface, mac] : ops) {
    const IfaceId id(iface);
    const bool present = model.count(iface) != 0;
    if (op == 0 && !present) {
      h.add(id, mac);
      model[iface] = mac;
    } else if (op == 1 && present) {
      h.set_mac(h.find(id), mac);
      model[iface] = mac;
    } else if (op == 2 && present) {
      h.remove(h.find(id));
      model.erase(iface);
    }
    std::map<uint32_t, uint64_t> got;
    for (const auto& x : h.list()) RC_ASSERT(got.emplace(x.iface.value, x.mac).second);
    RC_ASSERT(got == model);
    for (uint32_t k = 0; k <= 40; ++k) {
      const auto* f = h.find(IfaceId(k));
      RC_ASSERT((f != nullptr) == (model.count(k) != 0));
      if (f) RC_ASSERT(f->iface == IfaceId(k) && f->mac == model[k]);
    }
    for (uint64_t m = 0; m < 3; ++m) {
      const bool all = !model.empty() &&
                       std::all_of(model.begin(), model.end(), [&](const auto& kv) { return kv.second == m; });
      RC_ASSERT(h.all_hold(m) == all);
    }
  }
}
