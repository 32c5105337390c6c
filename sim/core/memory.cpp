#include "dhcpsim/core/memory.hpp"

#include <cstdlib>
#include <new>

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

}  // namespace dhcpsim::core
