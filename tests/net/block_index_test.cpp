#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

#include "dhcpsim/net/block_index.hpp"

using dhcpsim::net::BlockIndex;

namespace {
// Keys in runs (several blocks of neighbouring addresses) and far apart (high bits), so
// blocks share slots' probe runs, fill, empty and get shifted back by deletion.
uint32_t key_of(uint8_t run, uint8_t offset) { return (uint32_t(run) << 24) | offset; }
}  // namespace

// BlockIndex behaves like a map under any sequence of sets and erases.
RC_GTEST_PROP(BlockIndex, BehavesLikeAMap, ()) {
  BlockIndex<uint32_t> index;
  std::map<uint32_t, uint32_t> model;
  const auto ops = *rc::gen::container<std::vector<std::tuple<bool, uint8_t, uint8_t, uint32_t>>>(
      rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::inRange<uint8_t>(0, 12),
                     rc::gen::inRange<uint8_t>(0, 40), rc::gen::inRange<uint32_t>(0, 1000)));
  for (const auto& [set, run, offset, value] : ops) {
    const uint32_t key = key_of(run, offset);
    if (set) {
      index.set(key, value);
      model[key] = value;
    } else {
      index.erase(key);
      model.erase(key);
    }
    RC_ASSERT(index.size() == model.size());
  }
  for (uint8_t run = 0; run <= 12; ++run) {
    for (uint8_t offset = 0; offset <= 40; ++offset) {
      const uint32_t key = key_of(run, offset);
      auto it = model.find(key);
      RC_ASSERT(index.find(key) == (it == model.end() ? BlockIndex<uint32_t>::kNone : it->second));
    }
  }
  std::map<uint32_t, uint32_t> seen;
  index.for_each([&](uint32_t k, uint32_t v) { RC_ASSERT(seen.emplace(k, v).second); });
  RC_ASSERT(seen == model);
}

// A block holds eight aligned keys: its neighbours on both sides stay apart.
TEST(BlockIndex, BlockBoundariesKeepKeysApart) {
  BlockIndex<uint64_t> index;
  for (uint64_t k = 0; k < 8; ++k) index.set(0x020000000008ULL + k, uint32_t(k));
  for (uint64_t k = 0; k < 8; ++k) EXPECT_EQ(index.find(0x020000000008ULL + k), k);
  EXPECT_EQ(index.find(0x020000000007ULL), BlockIndex<uint64_t>::kNone);
  EXPECT_EQ(index.find(0x020000000010ULL), BlockIndex<uint64_t>::kNone);
  EXPECT_EQ(index.size(), 8u);
  for (uint64_t k = 0; k < 8; ++k) index.erase(0x020000000008ULL + k);
  EXPECT_TRUE(index.empty());
}
