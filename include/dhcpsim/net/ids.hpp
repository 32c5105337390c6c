#pragma once
// Compact ids for the simulated network's objects. A million hosts are indices into
// vectors, not a web of pointers.

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace dhcpsim::net {

template <class Tag>
struct Id {
  static constexpr uint32_t kInvalid = std::numeric_limits<uint32_t>::max();
  uint32_t value = kInvalid;
  constexpr Id() = default;
  constexpr explicit Id(uint32_t v) : value(v) {}
  constexpr bool valid() const { return value != kInvalid; }
  constexpr auto operator<=>(const Id&) const = default;
};

struct SegmentTag;
struct NodeTag;
struct IfaceTag;
using SegmentId = Id<SegmentTag>;
using NodeId = Id<NodeTag>;
using IfaceId = Id<IfaceTag>;

}  // namespace dhcpsim::net

template <class Tag>
struct std::hash<dhcpsim::net::Id<Tag>> {
  std::size_t operator()(const dhcpsim::net::Id<Tag>& id) const noexcept { return id.value; }
};
