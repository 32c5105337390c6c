#pragma once
// Byte-level helpers shared by every wire format: the parse error type, a bounds-checked
// big-endian reader and a writer. Parsing never reads out of bounds: every read goes
// through `ByteReader`, which reports what it was reading and at which offset.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace dhcpsim::wire {

using ConstBytes = std::span<const std::byte>;
using MutBytes = std::span<std::byte>;

/// What is wrong with a message and where: `offset` counts from the first byte of the
/// buffer handed to the outermost parse call (the Ethernet frame when parsing a frame).
struct ParseError {
  std::string what;
  std::size_t offset = 0;
  bool operator==(const ParseError&) const = default;
  std::string to_string() const { return what + " at byte " + std::to_string(offset); }
};

template <class T>
using Parsed = tl::expected<T, ParseError>;

inline tl::unexpected<ParseError> parse_error(std::string what, std::size_t offset) {
  return tl::unexpected(ParseError{std::move(what), offset});
}

inline ConstBytes as_bytes(const void* p, std::size_t n) {
  return {static_cast<const std::byte*>(p), n};
}
inline std::vector<std::byte> to_vector(ConstBytes b) { return {b.begin(), b.end()}; }
/// Bytes from a literal list, for tests: bytes_of({0x01, 0x02}).
inline std::vector<std::byte> bytes_of(std::initializer_list<uint8_t> l) {
  std::vector<std::byte> v;
  v.reserve(l.size());
  for (uint8_t b : l) v.push_back(std::byte{b});
  return v;
}

inline uint16_t load_be16(const std::byte* p) {
  return uint16_t((uint16_t(p[0]) << 8) | uint16_t(p[1]));
}
inline uint32_t load_be32(const std::byte* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline void store_be16(std::byte* p, uint16_t v) {
  p[0] = std::byte(v >> 8);
  p[1] = std::byte(v);
}
inline void store_be32(std::byte* p, uint32_t v) {
  p[0] = std::byte(v >> 24);
  p[1] = std::byte(v >> 16);
  p[2] = std::byte(v >> 8);
  p[3] = std::byte(v);
}

/// Bounds-checked sequential reader. `base` is the offset of data[0] within the
/// outermost buffer, so errors report absolute offsets.
class ByteReader {
 public:
  ByteReader(ConstBytes data, std::size_t base = 0) : data_(data), base_(base) {}

  std::size_t pos() const { return pos_; }
  std::size_t abs_pos() const { return base_ + pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool has(std::size_t n) const { return remaining() >= n; }

  /// Fails with "<what> truncated: need N bytes, M left" if fewer than n bytes remain.
  tl::expected<void, ParseError> need(std::size_t n, const char* what) const {
    if (has(n)) return {};
    return parse_error(std::string(what) + " truncated: need " + std::to_string(n) +
                           " bytes, " + std::to_string(remaining()) + " left",
                       abs_pos());
  }
  // Unchecked reads: call need() first.
  uint8_t u8() { return uint8_t(data_[pos_++]); }
  uint16_t be16() { auto v = load_be16(&data_[pos_]); pos_ += 2; return v; }
  uint32_t be32() { auto v = load_be32(&data_[pos_]); pos_ += 4; return v; }
  ConstBytes take(std::size_t n) { auto s = data_.subspan(pos_, n); pos_ += n; return s; }
  ConstBytes rest() { return take(remaining()); }
  void skip(std::size_t n) { pos_ += n; }

 private:
  ConstBytes data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

/// Sequential writer into a caller-sized buffer; the caller sized it with encoded_size(),
/// so running out of room is a bug (checked).
class ByteWriter {
 public:
  explicit ByteWriter(MutBytes out) : out_(out) {}
  std::size_t pos() const { return pos_; }
  MutBytes remaining_span() { return out_.subspan(pos_); }
  void u8(uint8_t v) { check(1); out_[pos_++] = std::byte(v); }
  void be16(uint16_t v) { check(2); store_be16(&out_[pos_], v); pos_ += 2; }
  void be32(uint32_t v) { check(4); store_be32(&out_[pos_], v); pos_ += 4; }
  void bytes(ConstBytes b) {
    check(b.size());
    if (!b.empty()) std::memcpy(&out_[pos_], b.data(), b.size());
    pos_ += b.size();
  }
  void zeros(std::size_t n) { check(n); std::memset(&out_[pos_], 0, n); pos_ += n; }
  void skip(std::size_t n) { check(n); pos_ += n; }

 private:
  void check(std::size_t n) const;
  MutBytes out_;
  std::size_t pos_ = 0;
};

/// The Internet checksum (RFC 1071) of `data`, continuing from `sum` (for pseudo-headers).
uint32_t checksum_add(uint32_t sum, ConstBytes data);
uint16_t checksum_fold(uint32_t sum);

}  // namespace dhcpsim::wire
