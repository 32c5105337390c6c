#pragma once
// Storage for the big arrays of big runs (hosts, interfaces, lease tables).

#include <cstddef>
#include <vector>

namespace dhcpsim::core {

/// Blocks of 2 MiB and more are 2 MiB-aligned and marked for transparent huge pages where
/// the OS has them (Linux madvise(MADV_HUGEPAGE)); smaller blocks come from operator new.
/// A hint only: it changes no value. A million hosts or leases are touched at random, and
/// with 4 KiB pages most of those touches also miss the TLB (bench/README.md: about 6 %
/// of the campus-1m wall time).
void* huge_page_allocate(std::size_t bytes);
void huge_page_free(void* p, std::size_t bytes) noexcept;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(huge_page_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { huge_page_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

/// A std::vector whose storage is a HugePageAllocator block.
template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace dhcpsim::core
