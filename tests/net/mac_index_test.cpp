#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "dhcpsim/net/segment.hpp"

using dhcpsim::net::IfaceId;
using dhcpsim::net::MacIndex;

// The segment's MAC index behaves like a multimap MAC -> interfaces under any sequence of
// inserts and erases (duplicate MACs included; backward-shift deletion keeps lookups right).
RC_GTEST_PROP(MacIndex, BehavesLikeAMultimap, ()) {
  MacIndex index;
  std::map<uint64_t, std::vector<uint32_t>> model;
  // A small key space so collisions, duplicates and probe chains happen.
  const auto ops = *rc::gen::container<std::vector<std::tuple<bool, uint8_t, uint8_t>>>(
      rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::inRange<uint8_t>(0, 40), rc::gen::inRange<uint8_t>(0, 4)));
  for (const auto& [insert, key, iface] : ops) {
    const uint64_t mac = 0x020000000000ULL + key * 0x10001ULL;
    if (insert) {
      auto& v = model[mac];
      if (std::find(v.begin(), v.end(), iface) != v.end()) continue;  // an interface is indexed once
      v.push_back(iface);
      index.insert(mac, IfaceId(iface));
    } else {
      auto it = model.find(mac);
      if (it == model.end()) continue;
      auto pos = std::find(it->second.begin(), it->second.end(), iface);
      if (pos == it->second.end()) continue;
      it->second.erase(pos);
      if (it->second.empty()) model.erase(it);
      index.erase(mac, IfaceId(iface));
    }
    for (uint8_t k = 0; k <= 40; ++k) {
      const uint64_t m = 0x020000000000ULL + k * 0x10001ULL;
      std::vector<uint32_t> got;
      for (IfaceId x : index.find(m)) got.push_back(x.value);
      std::vector<uint32_t> want = model.count(m) ? model[m] : std::vector<uint32_t>{};
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      RC_ASSERT(got == want);
    }
  }
  RC_ASSERT(index.size() == model.size());
}
