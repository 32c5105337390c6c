#pragma once
// Seeded random streams that give the same draws on every compiler and platform.
//
// - The generator is xoshiro256** (Blackman & Vigna), seeded through splitmix64.
// - Every stream is derived from the run seed and a stable name (and an optional index,
//   e.g. a host number), so adding a stream never shifts the draws of another.
// - The distributions are the project's own; the standard library's differ between
//   implementations. The transcendental functions they need (log, exp) are computed
//   with IEEE +, -, *, / and sqrt only (det_log, det_exp), which are exactly rounded
//   everywhere, so even the real-valued draws are bit-identical across platforms.
// - Counter-based draws (`counter_hash`) give a decision keyed by (seed, a, b) without
//   any stream state: every delivery mode of a segment makes the same loss decisions.

#include <cstdint>
#include <string_view>

#include "dhcpsim/core/time.hpp"

namespace dhcpsim::core {

/// splitmix64's finaliser: a bijective 64-bit mix.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// FNV-1a of a name: stable across runs, compilers and platforms.
constexpr uint64_t stable_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// A stateless draw keyed by (seed, a, b): uniform over 64 bits.
constexpr uint64_t counter_hash(uint64_t seed, uint64_t a, uint64_t b) {
  return mix64(mix64(mix64(seed ^ 0x9e3779b97f4a7c15ULL) ^ a) + b);
}
/// A uniform double in [0, 1) from 64 random bits (53 significant bits).
constexpr double to_unit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

/// Natural logarithm and exponential from IEEE-exact operations only (see above).
/// Accurate to a few ulp; det_log(x <= 0) is -inf, det_exp overflows to +inf.
double det_log(double x);
double det_exp(double x);

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  /// The stream named `name` (and `index`) of a run seeded with `run_seed`.
  static Rng stream(uint64_t run_seed, std::string_view name, uint64_t index = 0);

  uint64_t next_u64();
  /// Uniform in [0, n) without modulo bias (Lemire's method). n must be > 0.
  uint64_t below(uint64_t n);
  /// Uniform integer in [lo, hi], both inclusive.
  int64_t uniform_int(int64_t lo, int64_t hi);
  /// Uniform in [0, 1).
  double unit() { return to_unit(next_u64()); }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  bool bernoulli(double p) { return unit() < p; }
  double exponential(double mean);
  /// Marsaglia's polar method; no spare is kept, so the stream state stays 32 bytes.
  double normal(double mean, double stddev);
  double lognormal(double mu, double sigma) { return det_exp(normal(mu, sigma)); }
  /// Uniform duration in [lo, hi] at nanosecond resolution.
  Duration uniform_duration(Duration lo, Duration hi);
  Duration exponential_duration(Duration mean);

 private:
  uint64_t s_[4];
};

}  // namespace dhcpsim::core
