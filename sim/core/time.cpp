#include "dhcpsim/core/time.hpp"

#include <cmath>
#include <cstdlib>
#include <ostream>

namespace dhcpsim::core {

Duration seconds_f(double s) { return Duration::from_ns(static_cast<int64_t>(std::llround(s * 1e9))); }

namespace {
// Prints |v| / div with up to 3 decimals if that is exact; returns false otherwise.
bool print_exact(uint64_t v, uint64_t div, const char* unit, std::string& out) {
  const uint64_t milli_div = div / 1000;  // every unit here is at least 1us
  if (v % milli_div != 0) return false;
  uint64_t whole = v / div;
  uint64_t frac = v % div;
  out += std::to_string(whole);
  if (frac != 0) {
    uint64_t thousandths = frac / milli_div;
    std::string f = std::to_string(thousandths);
    f.insert(0, 3 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += '.';
    out += f;
  }
  out += unit;
  return true;
}
}  // namespace

std::string to_string(Duration d) {
  std::string out;
  int64_t ns = d.ns();
  if (ns == 0) return "0s";
  if (ns < 0) out += '-';
  // Magnitude without overflow for INT64_MIN.
  uint64_t v = ns < 0 ? uint64_t(0) - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  struct Unit { uint64_t div; const char* name; };
  static constexpr Unit units[] = {{86'400'000'000'000ULL, "d"}, {3'600'000'000'000ULL, "h"},
                                   {60'000'000'000ULL, "m"},     {1'000'000'000ULL, "s"},
                                   {1'000'000ULL, "ms"},         {1'000ULL, "us"}};
  for (const auto& u : units) {
    if (v >= u.div && print_exact(v, u.div, u.name, out)) return out;
  }
  out += std::to_string(v);
  out += "ns";
  return out;
}

std::string to_string(Time t) {
  int64_t ns = t.ns();
  std::string out;
  if (ns < 0) {
    out += '-';
    ns = -ns;
  }
  out += std::to_string(ns / 1'000'000'000);
  int64_t frac = ns % 1'000'000'000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += '.';
    out += f;
  }
  out += 's';
  return out;
}

std::ostream& operator<<(std::ostream& os, Duration d) { return os << to_string(d); }
std::ostream& operator<<(std::ostream& os, Time t) { return os << to_string(t); }

}  // namespace dhcpsim::core
