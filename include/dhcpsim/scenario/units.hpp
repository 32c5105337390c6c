#pragma once
// Text forms of quantities in scenario files and on the command line. Every quantity
// carries its unit: a bare number is refused as ambiguous.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "dhcpsim/core/time.hpp"

namespace dhcpsim::scenario {

/// "250us", "100ms", "1.5s", "10m", "2h", "1d" (also "ns", "min"); not negative.
tl::expected<core::Duration, std::string> parse_duration(std::string_view text);
/// "100Mbps", "1Gbps", "64kbps", "9600bps" -> bits per second.
tl::expected<uint64_t, std::string> parse_bandwidth(std::string_view text);
/// "30/h", "2/min", "0.5/s", "100/d" -> events per second.
tl::expected<double, std::string> parse_rate(std::string_view text);

}  // namespace dhcpsim::scenario
