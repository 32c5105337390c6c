#include "dhcpsim/core/random.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::core {

namespace {
constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // upper bits of ln 2
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
}  // namespace

double det_log(double x) {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  int e = 0;
  double m;
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits >> 52) != 0) {  // normal (x > 0, so the sign bit is clear): split the bits
    e = static_cast<int>(bits >> 52) - 1022;
    bits = (bits & 0x000fffffffffffffULL) | 0x3fe0000000000000ULL;
    std::memcpy(&m, &bits, sizeof m);  // exact: x = m * 2^e, m in [0.5, 1)
  } else {
    m = std::frexp(x, &e);  // subnormal
  }
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  // log(m) = 2 atanh(s) = 2 s P(s^2), s = (m - 1) / (m + 1), |s| <= 0.1716, with
  // P(x) = sum x^k / (2k + 1). The coefficients are constants (each rounds the same way
  // on every IEEE platform); P is evaluated as two interleaved Horner chains in x^2
  // (even and odd terms), which halves the dependency chain.
  static constexpr double c[] = {1.0,      1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,
                                 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19,
                                 1.0 / 21, 1.0 / 23, 1.0 / 25};
  double s = (m - 1) / (m + 1);
  double x2 = s * s;
  double x4 = x2 * x2;
  double even = c[12];
  double odd = c[11];
  for (int k = 10; k >= 0; k -= 2) {
    even = c[k] + x4 * even;
    if (k >= 1) odd = c[k - 1] + x4 * odd;
  }
  // even = c0 + c2 x4 + ..., odd = c1 + c3 x4 + ...: P = even + x2 * odd
  double poly = even + x2 * odd;
  double de = static_cast<double>(e);
  return de * kLn2Hi + (2 * s * poly + de * kLn2Lo);
}

double det_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.8) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0;
  // x = k ln2 + r, |r| <= ln2/2; exp(r) by its Taylor series (terms to r^17 / 17!).
  double k = std::nearbyint(x / 0.69314718055994530942);
  double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // Horner form, innermost term first: fewer roundings than summing terms in order.
  double sum = 1;
  for (int n = 17; n >= 1; --n) sum = 1 + sum * r / n;
  return std::ldexp(sum, static_cast<int>(k));
}

Rng::Rng(uint64_t seed) {
  // splitmix64 expands the seed into the four state words (never all zero).
  uint64_t z = seed;
  for (auto& w : s_) {
    z += 0x9e3779b97f4a7c15ULL;
    w = mix64(z);
  }
}

Rng Rng::stream(uint64_t run_seed, std::string_view name, uint64_t index) {
  return Rng(counter_hash(run_seed, stable_hash(name), index));
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  DHCPSIM_ASSERT(n > 0, "Rng::below needs a non-empty range");
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
  DHCPSIM_ASSERT(lo <= hi, "Rng::uniform_int needs lo <= hi");
  uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == std::numeric_limits<uint64_t>::max()) return static_cast<int64_t>(next_u64());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span + 1));
}

double Rng::exponential(double mean) {
  // 1 - u is in (0, 1], so the log is finite.
  return -mean * det_log(1.0 - unit());
}

double Rng::normal(double mean, double stddev) {
  double u, v, s;
  do {
    u = 2 * unit() - 1;
    v = 2 * unit() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  return mean + stddev * u * std::sqrt(-2 * det_log(s) / s);
}

Duration Rng::uniform_duration(Duration lo, Duration hi) {
  return Duration::from_ns(uniform_int(lo.ns(), hi.ns()));
}

Duration Rng::exponential_duration(Duration mean) {
  return Duration::from_ns(static_cast<int64_t>(exponential(static_cast<double>(mean.ns()))));
}

}  // namespace dhcpsim::core
