#include "dhcpsim/core/memory.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <system_error>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace dhcpsim::core {

namespace {
constexpr std::size_t kHugePage = std::size_t(2) << 20;
}

void* huge_page_allocate(std::size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  const std::size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // A hint only: without transparent huge pages nothing changes.
  (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void huge_page_free(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugePage)
    ::operator delete(p);
  else
    std::free(p);
}

namespace {

/// Maps [p, p + bytes) writable without touching it; false if the kernel cannot.
bool populate_write(void* p, std::size_t bytes) {
#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
  constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14
#endif
  return madvise(p, bytes, MADV_POPULATE_WRITE) == 0;
#else
  (void)p;
  (void)bytes;
  return false;
#endif
}

void warm_ranges(std::vector<std::pair<void*, std::size_t>> ranges) {
  constexpr std::size_t kPage = 4096;
  constexpr std::size_t kSteps = 512;  // per range: 2 MiB steps for a 1 GiB block
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> spans;  // page-aligned [begin, end)
  for (auto [p, bytes] : ranges) {
    const auto b = (reinterpret_cast<std::uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
    const auto e = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kPage - 1);
    if (e > b) spans.push_back({b, e});
  }
  for (std::size_t k = 0; k < kSteps && !spans.empty(); ++k) {
    for (std::size_t r = 0; r < spans.size();) {
      auto& [b, e] = spans[r];
      const std::uintptr_t step = std::max<std::uintptr_t>(kPage, ((e - b) / (kSteps - k) + kPage - 1) & ~(kPage - 1));
      const std::uintptr_t begin = e - std::min(e - b, step);
      if (!populate_write(reinterpret_cast<void*>(begin), e - begin)) return;  // unsupported, or gone
      e = begin;
      if (b >= e) spans.erase(spans.begin() + std::ptrdiff_t(r));
      else ++r;
    }
  }
}

}  // namespace

PageWarmer::~PageWarmer() { wait(); }

void PageWarmer::wait() {
  if (helper_.joinable()) helper_.join();
}

void PageWarmer::start(std::vector<std::pair<void*, std::size_t>> ranges) {
  wait();
  try {
    helper_ = std::thread(warm_ranges, std::move(ranges));
  } catch (const std::system_error&) {
    // No thread to spare: the owner faults the pages in itself, as without a warmer.
  }
}

}  // namespace dhcpsim::core
