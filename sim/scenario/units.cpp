#include "dhcpsim/scenario/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace dhcpsim::scenario {

namespace {
// Splits "12.5ms" into 12.5 and "ms"; the number must be plain decimal (no sign, no
// exponent) so that "1e3s" or "-1s" do not slip through.
bool split_number(std::string_view text, double& value, std::string_view& unit) {
  // Digits, optionally a point and more digits: "1.5" yes; ".5", "5." and "1e3" no.
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0) return false;
  if (i < text.size() && text[i] == '.') {
    std::size_t frac = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == frac) return false;
  }
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc{} || p != text.data() + i) return false;
  unit = text.substr(i);
  return true;
}
}  // namespace

tl::expected<core::Duration, std::string> parse_duration(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  double v = 0;
  std::string_view unit;
  if (!split_number(text, v, unit))
    return tl::unexpected(quoted + " is not a duration (expected a number and a unit, like \"250us\", \"1.5s\", \"10m\", \"2h\")");
  double ns_per = 0;
  if (unit == "ns") ns_per = 1;
  else if (unit == "us") ns_per = 1e3;
  else if (unit == "ms") ns_per = 1e6;
  else if (unit == "s") ns_per = 1e9;
  else if (unit == "m" || unit == "min") ns_per = 60e9;
  else if (unit == "h") ns_per = 3600e9;
  else if (unit == "d") ns_per = 86400e9;
  else if (unit.empty())
    return tl::unexpected(quoted + " has no unit: a bare number is ambiguous (write \"" + std::string(text) +
                          "s\" or \"" + std::string(text) + "ms\")");
  else
    return tl::unexpected(quoted + ": unknown unit '" + std::string(unit) + "' (use ns, us, ms, s, m, h or d)");
  const double ns = v * ns_per;
  if (ns > 9.2e18) return tl::unexpected(quoted + " is too long");
  const double rounded = std::round(ns);
  if (std::fabs(rounded - ns) > 1e-6 * std::max(1.0, ns))
    return tl::unexpected(quoted + " is finer than a nanosecond");
  return core::Duration::from_ns(static_cast<int64_t>(rounded));
}

tl::expected<uint64_t, std::string> parse_bandwidth(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  double v = 0;
  std::string_view unit;
  if (!split_number(text, v, unit))
    return tl::unexpected(quoted + " is not a bandwidth (expected a number and a unit, like \"100Mbps\" or \"1Gbps\")");
  double mult = 0;
  if (unit == "bps") mult = 1;
  else if (unit == "kbps") mult = 1e3;
  else if (unit == "Mbps") mult = 1e6;
  else if (unit == "Gbps") mult = 1e9;
  else if (unit.empty()) return tl::unexpected(quoted + " has no unit: write \"" + std::string(text) + "Mbps\" or similar");
  else return tl::unexpected(quoted + ": unknown unit '" + std::string(unit) + "' (use bps, kbps, Mbps or Gbps)");
  double bps = v * mult;
  if (bps < 1 || bps > 1e13) return tl::unexpected(quoted + " is out of range (1bps to 10000Gbps)");
  return static_cast<uint64_t>(std::llround(bps));
}

tl::expected<double, std::string> parse_rate(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto slash = text.find('/');
  double v = 0;
  std::string_view rest;
  if (slash == std::string_view::npos || !split_number(text.substr(0, slash), v, rest) || !rest.empty())
    return tl::unexpected(quoted + " is not a rate (expected a count per unit of time, like \"30/h\" or \"2/min\")");
  std::string_view per = text.substr(slash + 1);
  double seconds = 0;
  if (per == "s") seconds = 1;
  else if (per == "m" || per == "min") seconds = 60;
  else if (per == "h") seconds = 3600;
  else if (per == "d") seconds = 86400;
  else return tl::unexpected(quoted + ": unknown time unit '" + std::string(per) + "' (use s, min, h or d)");
  return v / seconds;
}

}  // namespace dhcpsim::scenario
