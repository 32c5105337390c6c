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

PcapSink::~PcapSink() {
  if (!writers_.empty()) abandon();
}

void PcapSink::on_record(const net::Record& r) {
  const auto& f = std::get<net::FrameSent>(r);
  auto it = writers_.find(f.segment.value);
  if (it == writers_.end()) {
    if (!error_.empty()) return;
    std::string path = dir_ + "/" + safe_file_name(network_.segment(f.segment).config.name) + ".pcap";
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
