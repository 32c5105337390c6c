#include "dhcpsim/report/pcap_sink.hpp"

#include <cstdio>
#include <filesystem>

namespace dhcpsim::report {

std::string safe_file_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

PcapSink::PcapSink(const net::Network& network, std::string directory)
    : network_(network), dir_(std::move(directory)) {}

const std::string& PcapSink::file_name(uint32_t seg) {
  // Names are given to every segment up to `seg` in segment order, so which segment
  // gets the suffix never depends on which one sends first.
  while (file_names_.size() <= seg) {
    const uint32_t k = static_cast<uint32_t>(file_names_.size());
    const std::string base = safe_file_name(network_.segment(net::SegmentId(k)).config.name);
    std::string name = base;
    for (uint32_t extra = 0; used_names_.count(name) != 0; ++extra)
      name = base + "-" + std::to_string(k) + (extra ? "-" + std::to_string(extra) : "");
    used_names_.insert(name);
    file_names_.push_back(std::move(name));
  }
  return file_names_[seg];
}

PcapSink::~PcapSink() {
  if (!writers_.empty()) abandon();
}

void PcapSink::on_record(const net::Record& r) {
  const auto& f = std::get<net::FrameSent>(r);
  auto it = writers_.find(f.segment.value);
  if (it == writers_.end()) {
    if (!error_.empty()) return;
    std::string path = dir_ + "/" + file_name(f.segment.value) + ".pcap";
    auto w = wire::PcapWriter::open(path + ".part");
    if (!w) {
      error_ = w.error();
      return;
    }
    paths_[f.segment.value] = path;
    it = writers_.emplace(f.segment.value, std::move(*w)).first;
  }
  it->second.write(f.time.ns(), f.bytes);
}

tl::expected<std::vector<std::string>, std::string> PcapSink::finish() {
  if (!error_.empty()) {
    abandon();
    return tl::unexpected(error_);
  }
  std::vector<std::string> done;
  for (auto& [seg, w] : writers_) {
    auto closed = w.close();
    if (!closed) {
      error_ = closed.error();
      break;
    }
  }
  if (!error_.empty()) {
    abandon();
    return tl::unexpected(error_);
  }
  for (const auto& [seg, path] : paths_) {
    std::error_code ec;
    std::filesystem::rename(path + ".part", path, ec);
    if (ec) {
      abandon();
      return tl::unexpected("cannot rename " + path + ".part: " + ec.message());
    }
    done.push_back(path);
  }
  writers_.clear();
  paths_.clear();
  return done;
}

void PcapSink::abandon() {
  writers_.clear();
  for (const auto& [seg, path] : paths_) {
    std::error_code ec;
    std::filesystem::remove(path + ".part", ec);
    std::filesystem::remove(path, ec);
  }
  paths_.clear();
}

}  // namespace dhcpsim::report
