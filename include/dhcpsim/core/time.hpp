#pragma once
// Virtual time: integer nanoseconds in strong types. `Time` is a point on the
// simulation's clock (0 = start of the run), `Duration` a signed span between two.

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>

namespace dhcpsim::core {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration from_ns(int64_t ns) { return Duration(ns); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  constexpr double seconds_f() const { return static_cast<double>(ns_) * 1e-9; }
  constexpr double ms_f() const { return static_cast<double>(ns_) * 1e-6; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator-() const { return Duration(-ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr int64_t operator/(Duration o) const { return ns_ / o.ns_; }
  constexpr Duration operator%(Duration o) const { return Duration(ns_ % o.ns_); }
  constexpr Duration& operator+=(Duration o) { ns_ += o.ns_; return *this; }
  constexpr Duration& operator-=(Duration o) { ns_ -= o.ns_; return *this; }

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Duration nanoseconds(int64_t n) { return Duration::from_ns(n); }
constexpr Duration microseconds(int64_t n) { return Duration::from_ns(n * 1'000); }
constexpr Duration milliseconds(int64_t n) { return Duration::from_ns(n * 1'000'000); }
constexpr Duration seconds(int64_t n) { return Duration::from_ns(n * 1'000'000'000); }
constexpr Duration minutes(int64_t n) { return seconds(n * 60); }
constexpr Duration hours(int64_t n) { return seconds(n * 3600); }
constexpr Duration days(int64_t n) { return seconds(n * 86400); }
/// Rounds to the nearest nanosecond; for configuration values, not for hot paths.
Duration seconds_f(double s);

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ns(int64_t ns) { return Time(ns); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  constexpr double seconds_f() const { return static_cast<double>(ns_) * 1e-9; }
  constexpr Duration since_start() const { return Duration::from_ns(ns_); }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return Time(ns_ + d.ns()); }
  constexpr Time operator-(Duration d) const { return Time(ns_ - d.ns()); }
  constexpr Duration operator-(Time o) const { return Duration::from_ns(ns_ - o.ns_); }
  constexpr Time& operator+=(Duration d) { ns_ += d.ns(); return *this; }

 private:
  constexpr explicit Time(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

/// Saturating `t + d`: never overflows past Time::max() (a lease of "infinity").
constexpr Time saturating_add(Time t, Duration d) {
  if (d.ns() > 0 && t.ns() > std::numeric_limits<int64_t>::max() - d.ns()) return Time::max();
  return t + d;
}

/// "1.5s", "250us", "100ms", "2h", "-3ns": the largest unit that keeps the value exact
/// with at most 3 decimals, so printing is exact and parse(print(d)) == d.
std::string to_string(Duration d);
/// Seconds with nanosecond precision, trailing zeros trimmed: "12.000000345s", "3s".
std::string to_string(Time t);
std::ostream& operator<<(std::ostream& os, Duration d);
std::ostream& operator<<(std::ostream& os, Time t);

namespace literals {
constexpr Duration operator""_ns(unsigned long long n) { return nanoseconds(static_cast<int64_t>(n)); }
constexpr Duration operator""_us(unsigned long long n) { return microseconds(static_cast<int64_t>(n)); }
constexpr Duration operator""_ms(unsigned long long n) { return milliseconds(static_cast<int64_t>(n)); }
constexpr Duration operator""_s(unsigned long long n) { return seconds(static_cast<int64_t>(n)); }
constexpr Duration operator""_min(unsigned long long n) { return minutes(static_cast<int64_t>(n)); }
constexpr Duration operator""_h(unsigned long long n) { return hours(static_cast<int64_t>(n)); }
}  // namespace literals

}  // namespace dhcpsim::core
