#include "dhcpsim/wire/pcap.hpp"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace dhcpsim::wire {

namespace {
constexpr int64_t kNsPerSecond = 1'000'000'000;
}

// ---- writer ----

void PcapWriter::PcapCloser::operator()(pcap* p) const noexcept {
  pcap_close(p);
}

tl::expected<PcapWriter, std::string> PcapWriter::open(const std::string& path) {
  PcapWriter w;
  // A "dead" handle only carries the link type, snapshot length and timestamp precision
  // that pcap_dump_open writes into the file header (nanosecond precision selects the
  // a1b23c4d magic).
  w.handle_.reset(
      pcap_open_dead_with_tstamp_precision(DLT_EN10MB, int(kSnapLen), PCAP_TSTAMP_PRECISION_NANO));
  if (!w.handle_) return tl::unexpected(std::string("pcap_open_dead failed (out of memory?)"));
  w.dumper_ = pcap_dump_open(w.handle_.get(), path.c_str());
  if (!w.dumper_) return tl::unexpected(std::string(pcap_geterr(w.handle_.get())));
  return w;
}

PcapWriter::PcapWriter(PcapWriter&& o) noexcept
    : handle_(std::move(o.handle_)), dumper_(std::exchange(o.dumper_, nullptr)) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& o) noexcept {
  if (this != &o) {
    (void)close();
    handle_ = std::move(o.handle_);
    dumper_ = std::exchange(o.dumper_, nullptr);
  }
  return *this;
}

PcapWriter::~PcapWriter() {
  (void)close();
}

void PcapWriter::write(int64_t timestamp_ns, ConstBytes frame) {
  if (!dumper_) return;
  if (timestamp_ns < 0) timestamp_ns = 0;
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(timestamp_ns / kNsPerSecond);
  // With nanosecond precision the "usec" field carries nanoseconds.
  hdr.ts.tv_usec = static_cast<suseconds_t>(timestamp_ns % kNsPerSecond);
  hdr.len = static_cast<bpf_u_int32>(frame.size());
  hdr.caplen = static_cast<bpf_u_int32>(frame.size() < kSnapLen ? frame.size() : kSnapLen);
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &hdr,
            reinterpret_cast<const u_char*>(frame.data()));
}

tl::expected<void, std::string> PcapWriter::close() {
  if (!dumper_) return {};
  // pcap_dump reports nothing; a failed fwrite shows in the stream's error flag.
  const bool flush_failed = pcap_dump_flush(dumper_) != 0;
  const bool stream_failed = std::ferror(pcap_dump_file(dumper_)) != 0;
  const int saved_errno = errno;
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  handle_.reset();
  if (flush_failed || stream_failed)
    return tl::unexpected("writing the pcap file failed: " +
                          std::string(std::strerror(saved_errno)));
  return {};
}

// ---- reader ----

void PcapReader::PcapCloser::operator()(pcap* p) const noexcept {
  pcap_close(p);
}

tl::expected<PcapReader, std::string> PcapReader::open(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  PcapReader r;
  r.handle_.reset(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
  if (!r.handle_) return tl::unexpected(std::string(errbuf));
  return r;
}

std::optional<PcapRecord> PcapReader::next() {
  if (!handle_) return std::nullopt;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc == PCAP_ERROR) {
    error_ = pcap_geterr(handle_.get());
    return std::nullopt;
  }
  if (rc != 1) return std::nullopt;  // PCAP_ERROR_BREAK: end of file
  PcapRecord rec;
  rec.timestamp_ns = int64_t(hdr->ts.tv_sec) * kNsPerSecond + int64_t(hdr->ts.tv_usec);
  rec.original_length = hdr->len;
  const auto* begin = reinterpret_cast<const std::byte*>(data);
  rec.data.assign(begin, begin + hdr->caplen);
  return rec;
}

int PcapReader::link_type() const {
  return handle_ ? pcap_datalink(handle_.get()) : -1;
}

}  // namespace dhcpsim::wire
